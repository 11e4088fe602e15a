using Resolver.Core.Upstreams;

namespace Resolver.Admin;

/// <summary>Upstream health, and draining an upstream by hand.</summary>
internal static partial class UpstreamEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/upstreams", (UpstreamRegistry registry) => registry.All.Select(View).ToList())
            .WithSummary("Each upstream: state (up, down, drained), smoothed RTT, in flight, queries, failures, timeouts, last error, down since.");
        api.MapPost("/upstreams/drain", Drain)
            .RequireAuthorization(BearerAuthentication.AdminPolicy)
            .WithSummary("Take an upstream out of use by hand (drain: true), or put it back (drain: false).");
    }

    private static IResult Drain(DrainRequest? request, UpstreamRegistry registry, HttpContext http, AuditTrail audit, ILoggerFactory loggers)
    {
        if (request?.Name is null)
        {
            return CacheEndpoints.BadRequest("Send {\"name\": \"<upstream name from GET /api/v1/upstreams>\", \"drain\": true}.");
        }

        var server = registry.Find(request.Name);
        if (server is null)
        {
            return CacheEndpoints.NotFound($"No upstream is named '{request.Name}'.");
        }

        server.Drained = request.Drain;
        var caller = AdminCaller.Of(http);
        LogDrain(loggers.CreateLogger("Resolver.Audit"), caller.Name, caller.Address, server.Name, request.Drain);
        audit.Record(caller, request.Drain ? "drain" : "undrain", server.Name, $"state {View(server).State}");
        return Results.Ok(View(server));
    }

    internal static UpstreamView View(UpstreamServer server) => new(
        server.Name,
        server.EndPoint.ToString(),
        server.Transport.ToString(),
        server.TlsName,
        server.Drained ? "drained" : server.IsDown ? "down" : "up",
        Math.Round(server.SmoothedRttMs, 2),
        Math.Round(server.RetransmitTimeoutMs, 2),
        server.InFlight,
        server.Queries,
        server.Failures,
        server.Timeouts,
        server.ConsecutiveFailures,
        server.LastError,
        server.DownSince,
        server.DemotedUntil);

    [LoggerMessage(EventId = 511, Level = LogLevel.Information, Message = "AUDIT upstream {Upstream} drained={Drained} by {Caller} from {Client}")]
    private static partial void LogDrain(ILogger logger, string caller, string client, string upstream, bool drained);
}
