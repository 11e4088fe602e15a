using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Telemetry;
using Resolver.Metrics;

namespace Resolver.Tests.Metrics;

/// <summary>
/// An <see cref="IMeterFactory"/> of its own per test: its meters carry it as <see cref="Meter.Scope"/>, so a
/// collector made for it hears only this test's "Resolver" meters, not those of tests running alongside.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly Lock _lock = new();

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_lock)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}

/// <summary>A started collector for a fresh <see cref="TestMeterFactory"/>, with a raw "Resolver" meter for hand-made instruments.</summary>
internal sealed class CollectorHarness : IDisposable
{
    public CollectorHarness()
    {
        Collector = new MetricsCollector(Factory, NullLogger<MetricsCollector>.Instance);
        Collector.Start();
        Meter = Factory.Create(new MeterOptions(ResolverMetrics.MeterName));
    }

    public TestMeterFactory Factory { get; } = new();

    public MetricsCollector Collector { get; }

    public Meter Meter { get; }

    public string[] ScrapeLines() => Collector.Scrape().Split('\n');

    public void Dispose()
    {
        Collector.Dispose();
        Factory.Dispose();
    }
}
