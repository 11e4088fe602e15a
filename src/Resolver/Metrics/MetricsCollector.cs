using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Resolver.Core.Telemetry;

namespace Resolver.Metrics;

/// <summary>
/// Listens to the "Resolver" meter created by one <see cref="IMeterFactory"/> and aggregates its measurements
/// per instrument and tag set for the Prometheus exposition. Only meters whose <see cref="Meter.Scope"/> is
/// that factory are heard: two hosts (or two tests) in one process each see their own meter, never the other's.
/// </summary>
internal sealed partial class MetricsCollector : IDisposable
{
    private readonly IMeterFactory _meterFactory;
    private readonly ILogger<MetricsCollector> _logger;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly Lock _scrapeLock = new();
    private int _started;

    public MetricsCollector(IMeterFactory meterFactory, ILogger<MetricsCollector> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(logger);
        _meterFactory = meterFactory;
        _logger = logger;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _),
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
    }

    /// <summary>Starts listening: instruments already created are picked up now, later ones as they appear. Idempotent.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _listener.Start();
        }
    }

    /// <summary>Reads the observable instruments, then renders every family in the text format 0.0.4, ordered by name.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            var families = _families.Values.ToArray();
            Array.Sort(families, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var family in families)
            {
                if (family.Instrument.IsObservable)
                {
                    family.BeginObservation();
                }
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failing callback costs its own series (left out as unobserved), not the whole scrape.
                Log.ObservationFailed(_logger, e);
            }

            var builder = new StringBuilder();
            string? previous = null;
            foreach (var family in families)
            {
                // Two instruments mapping to one name would make a duplicate family that Prometheus rejects: the first wins.
                if (family.Name == previous)
                {
                    Log.DuplicateName(_logger, family.Instrument.Name, family.Name);
                    continue;
                }

                previous = family.Name;
                family.WriteTo(builder);
            }

            return builder.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        if (meter.Name != ResolverMetrics.MeterName || !ReferenceEquals(meter.Scope, _meterFactory))
        {
            return;
        }

        if (MetricFamily.Create(instrument) is not { } family)
        {
            Log.UnsupportedInstrument(_logger, instrument.Name, instrument.GetType().Name);
            return;
        }

        _families[instrument] = family;
        listener.EnableMeasurementEvents(instrument, family);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Reading the observable instruments for /metrics failed")]
        public static partial void ObservationFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Instrument {Instrument} is not exposed: its Prometheus name {Name} is taken by another instrument")]
        public static partial void DuplicateName(ILogger logger, string instrument, string name);

        [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Instrument {Instrument} is not exposed: {Type} has no Prometheus mapping")]
        public static partial void UnsupportedInstrument(ILogger logger, string instrument, string type);
    }
}
