using Microsoft.Extensions.Hosting;

namespace Resolver.Core.Upstreams;

/// <summary>
/// Probes only upstreams marked down, once their back-off has run out. Healthy upstreams see no
/// traffic but client questions, and none at all until a client question needs one.
/// </summary>
public sealed class UpstreamProber(UpstreamRegistry registry, UpstreamClient client, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var server in registry.All)
                {
                    if (server.TryBeginProbe())
                    {
                        _ = ProbeAsync(server, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task ProbeAsync(UpstreamServer server, CancellationToken stoppingToken)
    {
        try
        {
            await client.ProbeAsync(server, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            server.EndProbe();
        }
    }
}
