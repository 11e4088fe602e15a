using Resolver.Core.Listeners;
using Resolver.Core.Upstreams;

namespace Resolver.Admin;

/// <summary>/healthz: the process is alive. /readyz: listeners bound and at least one upstream usable. Both anonymous.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).WithSummary("The process is alive.");
        app.MapGet("/readyz", Ready).WithSummary("Listeners bound and at least one upstream usable (503 otherwise).");
    }

    private static IResult Ready(DnsListenerService listeners, UpstreamRegistry upstreams)
    {
        var usable = upstreams.All.Count(u => u.IsUsable);
        var view = new ReadinessView(listeners.IsListening, usable, listeners.IsListening && usable > 0);
        return view.Ready ? Results.Ok(view) : Results.Json(view, AdminJson.Default.ReadinessView, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record ReadinessView(bool Listening, int UsableUpstreams, bool Ready);
