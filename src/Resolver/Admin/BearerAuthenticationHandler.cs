using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// The "Bearer" scheme: "Authorization: Bearer &lt;token&gt;" looked up in <see cref="AdminTokens"/>; the principal carries the
/// token's name and role. A challenge (an endpoint that needs a token, and none or an unknown one was sent) answers 401
/// with what to send, and logs the attempt with the client's address and the reason, never the token.
/// </summary>
internal sealed partial class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, AdminTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "Bearer";

    private const string Prefix = SchemeName + " ";
    private const string NoToken = "no token";
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
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var address = AdminCaller.ClientAddress(Context)?.ToString() ?? "unknown";
        LogFailed(Logger, address, result.Failure?.Message ?? NoToken, Request.Method, Request.Path);

        Response.Headers.WWWAuthenticate = SchemeName;
        await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "Send Authorization: Bearer <token> with a token from Admin:Tokens.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Admin API authentication failed from {Client}: {Reason} ({Method} {Path})")]
    private static partial void LogFailed(ILogger logger, string client, string reason, string method, string path);
}
