using System.Diagnostics.Metrics;
using Resolver.Core.Telemetry;

namespace Resolver.Core.Tests.Testing;

/// <summary>
/// The sum of one counter of the "Resolver" meter over the measurements whose tags <paramref name="matches"/> accepts,
/// from every <see cref="ResolverMetrics"/> in the process: tests run side by side, so the filter names something
/// only the test at hand produces (its fake upstream's address, or a counter no other test moves).
/// </summary>
internal sealed class InstrumentCount : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _value;

    public InstrumentCount(string instrument, Func<KeyValuePair<string, object?>, bool> matches)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == ResolverMetrics.MeterName && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (matches(tag))
                {
                    Interlocked.Add(ref _value, value);
                    return;
                }
            }
        });
        _listener.Start();
    }

    public long Value => Interlocked.Read(ref _value);

    /// <summary>A tag <paramref name="key"/> whose text value satisfies <paramref name="value"/>.</summary>
    public static Func<KeyValuePair<string, object?>, bool> Tag(string key, Func<string, bool> value) =>
        tag => tag.Key == key && tag.Value is string text && value(text);

    public void Dispose() => _listener.Dispose();
}
