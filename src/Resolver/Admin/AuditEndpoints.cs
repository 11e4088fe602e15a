using System.Security.Claims;

namespace Resolver.Admin;

/// <summary>The audit trail of recent admin actions, with the caller's own name and role.</summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/audit", (AuditTrail trail, HttpContext http) => new AuditView(Caller(http), trail.NewestFirst()))
            .WithSummary($"The last {AuditTrail.Capacity} flushes, drains, watch changes and accepted holds, newest first, and the calling token's name and role.");

    private static CallerView Caller(HttpContext http) =>
        new(AdminCaller.Of(http).Name, http.User.FindFirst(ClaimTypes.Role)?.Value ?? nameof(AdminRole.Read));
}
