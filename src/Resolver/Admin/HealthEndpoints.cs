using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;
using Resolver.Core.Upstreams;

namespace Resolver.Admin;

/// <summary>
/// /healthz: the process is alive. /readyz: listeners bound and some upstream serving, that is, not every one
/// drained or down for longer than Upstreams:DownBackoff. Both anonymous.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).WithSummary("The process is alive.");
        app.MapGet("/readyz", Ready).WithSummary("Listeners bound and some upstream serving (503 when every one is drained or has been down longer than Upstreams:DownBackoff).");
    }

    private static IResult Ready(DnsListenerService listeners, UpstreamRegistry upstreams, IOptionsMonitor<UpstreamOptions> options)
    {
        var usable = upstreams.All.Count(u => u.IsUsable);
        var view = new ReadinessView(listeners.IsListening, usable, listeners.IsListening && upstreams.AnyServing(options.CurrentValue.DownBackoff));
        return view.Ready ? Results.Ok(view) : Results.Json(view, AdminJson.Default.ReadinessView, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record ReadinessView(bool Listening, int UsableUpstreams, bool Ready);
