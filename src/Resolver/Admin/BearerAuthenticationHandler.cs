using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// The "Bearer" scheme: "Authorization: Bearer &lt;token&gt;" looked up in <see cref="AdminTokens"/>; the principal carries the
/// token's name and role. A challenge (an endpoint that needs a token, and none or an unknown one was sent) answers 401
/// with what to send.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, AdminTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "Bearer";

    private const string Prefix = SchemeName + " ";
    private const string UnknownToken = "unknown token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var token = header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header[Prefix.Length..].Trim() : string.Empty;
        if (token.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!tokens.TryAuthenticate(token, out var identity))
        {
            return Task.FromResult(AuthenticateResult.Fail(UnknownToken));
        }

        Claim[] claims = [new(ClaimTypes.Name, identity.Name), new(ClaimTypes.Role, identity.Role.ToString())];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "Send Authorization: Bearer <token> with a token from Admin:Tokens.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }
}
