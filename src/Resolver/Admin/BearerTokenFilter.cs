namespace Resolver.Admin;

/// <summary>
/// Requires "Authorization: Bearer &lt;token&gt;" with at least <paramref name="required"/>: 401 without a
/// valid token, 403 for a Read token on a mutating call. The caller is stored for audit lines.
/// </summary>
internal sealed class BearerTokenFilter(AdminRole required) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var tokens = http.RequestServices.GetRequiredService<AdminTokens>();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !tokens.TryAuthenticate(header[Scheme.Length..].Trim(), out var identity))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Send Authorization: Bearer <token> with a token from Admin:Tokens.");
        }

        if (identity.Role < required)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"Token '{identity.Name}' has the {identity.Role} role; this call needs {required}.");
        }

        http.Items[typeof(AdminIdentity)] = identity;
        return await next(context).ConfigureAwait(false);
    }

    public static AdminIdentity Caller(HttpContext http) => (AdminIdentity)http.Items[typeof(AdminIdentity)]!;
}
