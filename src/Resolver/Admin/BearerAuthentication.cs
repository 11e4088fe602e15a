using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Resolver.Admin;

/// <summary>
/// Authentication and authorization of the admin API: the <see cref="BearerAuthenticationHandler"/> scheme, and two
/// policies applied with <c>RequireAuthorization</c>: <see cref="ReadPolicy"/> (a Read or Admin token) and
/// <see cref="AdminPolicy"/> (an Admin token). Both run in middleware, before the endpoint reads the request body.
/// </summary>
internal static class BearerAuthentication
{
    public const string ReadPolicy = nameof(AdminRole.Read);
    public const string AdminPolicy = nameof(AdminRole.Admin);

    public static IServiceCollection AddBearerAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(nameof(AdminRole.Read), nameof(AdminRole.Admin)))
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(nameof(AdminRole.Admin)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenResultHandler>();
        return services;
    }

    /// <summary>A 403 that says which role the token has and which the call needs; everything else as ASP.NET Core does it.</summary>
    private sealed class ForbiddenResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (!authorizeResult.Forbidden)
            {
                return _default.HandleAsync(next, context, policy, authorizeResult);
            }

            // The lowest role that would have passed: "Read" for the Read policy (Read or Admin), "Admin" for the Admin one.
            var needed = (authorizeResult.AuthorizationFailure?.FailedRequirements ?? policy.Requirements)
                .OfType<RolesAuthorizationRequirement>()
                .SelectMany(r => r.AllowedRoles)
                .Select(role => Enum.Parse<AdminRole>(role))
                .DefaultIfEmpty(AdminRole.Admin)
                .Min();
            var caller = context.User.Identity?.Name ?? "anonymous";
            var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "no";
            return Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden",
                    detail: $"Token '{caller}' has the {role} role; this call needs {needed}.")
                .ExecuteAsync(context);
        }
    }
}
