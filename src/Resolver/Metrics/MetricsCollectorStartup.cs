namespace Resolver.Metrics;

/// <summary>
/// Starts the <see cref="MetricsCollector"/> in <see cref="IHostedLifecycleService.StartingAsync"/>, which runs
/// for every hosted service before any of them starts: no query is answered before the counters are heard.
/// </summary>
internal sealed class MetricsCollectorStartup(MetricsCollector collector) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        collector.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
