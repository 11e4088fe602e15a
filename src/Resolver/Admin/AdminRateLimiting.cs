using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// Rate-limits failed authentication per client address: a request counts when it reaches an endpoint that needs a
/// token without a valid one. Past Admin:FailedAuthLimit in a fixed Admin:FailedAuthWindow such requests get 429 with
/// Retry-After (and are no longer logged one by one). Valid tokens and the anonymous endpoints (/healthz, /readyz,
/// /metrics) are never limited. The middleware runs after authentication, which tells who is anonymous.
/// </summary>
internal static class AdminRateLimiting
{
    private const string Unlimited = "";

    public static IServiceCollection AddFailedAuthRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdminOptions>>((limiter, admin) =>
        {
            var window = new FixedWindowRateLimiterOptions
            {
                PermitLimit = admin.Value.FailedAuthLimit,
                Window = admin.Value.FailedAuthWindow,
                QueueLimit = 0,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Counts(http)
                ? RateLimitPartition.GetFixedWindowLimiter(AdminCaller.ClientAddress(http)?.ToString() ?? "unknown", _ => window)
                : RateLimitPartition.GetNoLimiter(Unlimited));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>True for an anonymous request (no token, or an unknown one) to an endpoint that requires authorization.</summary>
    private static bool Counts(HttpContext http) =>
        http.User.Identity?.IsAuthenticated != true
        && http.GetEndpoint()?.Metadata is { } metadata
        && metadata.GetMetadata<IAuthorizeData>() is not null
        && metadata.GetMetadata<IAllowAnonymous>() is null;

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        var seconds = (int)Math.Ceiling(retry.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many failed authentication attempts",
                detail: $"Too many requests without a valid token from {AdminCaller.ClientAddress(http)}; retry after {seconds} s with Authorization: Bearer <token>.")
            .ExecuteAsync(http).ConfigureAwait(false);
    }
}
