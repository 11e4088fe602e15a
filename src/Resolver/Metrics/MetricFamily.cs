using System.Diagnostics.Metrics;
using System.Text;

namespace Resolver.Metrics;

/// <summary>The Prometheus metric type an instrument is exposed as.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// The aggregated series of one instrument and their exposition. Measurement callbacks arrive on any thread;
/// scrapes (<see cref="BeginObservation"/> then <see cref="WriteTo"/>) are serialized by the collector.
/// </summary>
internal abstract class MetricFamily
{
    protected MetricFamily(Instrument instrument, MetricKind kind)
    {
        Instrument = instrument;
        Kind = kind;
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, kind);
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    /// <summary>The family name of the TYPE line: "resolver_queries_total", "resolver_upstream_duration_seconds".</summary>
    public string Name { get; }

    /// <summary>
    /// The family for an instrument: counters (sum; observable ones report their running total, so last value),
    /// up-down counters and gauges as gauges, histograms with fixed buckets. Null for instrument types it does not know.
    /// </summary>
    public static MetricFamily? Create(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var type = instrument.GetType();
        while (type is not null && !type.IsGenericType)
        {
            type = type.BaseType;
        }

        if (type is null)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var valueType = type.GetGenericArguments()[0];
        var floating = valueType == typeof(double) || valueType == typeof(float) || valueType == typeof(decimal);
        if (definition == typeof(Counter<>))
        {
            return new ValueFamily(instrument, MetricKind.Counter, sum: true, floating);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new ValueFamily(instrument, MetricKind.Counter, sum: false, floating);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new ValueFamily(instrument, MetricKind.Gauge, sum: true, floating);
        }

        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return new ValueFamily(instrument, MetricKind.Gauge, sum: false, floating);
        }

        return definition == typeof(Histogram<>) ? new HistogramFamily(instrument) : null;
    }

    public abstract void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Before observable instruments are read: series the callbacks no longer report are left out of the scrape.</summary>
    public abstract void BeginObservation();

    /// <summary>Appends HELP, TYPE and the samples, series ordered by their labels; nothing when there is no series.</summary>
    public abstract void WriteTo(StringBuilder builder);

    protected void WriteHeader(StringBuilder builder)
    {
        if (!string.IsNullOrEmpty(Instrument.Description))
        {
            builder.Append("# HELP ").Append(Name).Append(' ');
            PrometheusText.AppendHelp(builder, Instrument.Description);
            builder.Append('\n');
        }

        var type = Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Gauge => "gauge",
            _ => "histogram",
        };
        builder.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
    }

    /// <summary><c>name{labels,extra} value</c>; no braces when there is no label at all.</summary>
    protected static void WriteSample(StringBuilder builder, string name, string labels, string? extraLabel, string value)
    {
        builder.Append(name);
        if (labels.Length > 0 || extraLabel is not null)
        {
            builder.Append('{').Append(labels);
            if (extraLabel is not null)
            {
                builder.Append(labels.Length > 0 ? "," : string.Empty).Append(extraLabel);
            }

            builder.Append('}');
        }

        builder.Append(' ').Append(value).Append('\n');
    }
}

/// <summary>One series; <see cref="Observed"/> says whether the last observation of an observable instrument reported it.</summary>
internal abstract class Series
{
    private volatile bool _observed;

    public bool Observed
    {
        get => _observed;
        set => _observed = value;
    }
}

/// <summary>Series by tag set: finding an existing series allocates nothing; a new tag set adds one.</summary>
internal abstract class MetricFamily<TSeries> : MetricFamily
    where TSeries : Series
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SeriesKey, TSeries> _series = new();

    protected MetricFamily(Instrument instrument, MetricKind kind)
        : base(instrument, kind)
    {
    }

    public override void BeginObservation()
    {
        foreach (var series in _series.Values)
        {
            series.Observed = false;
        }
    }

    public override void WriteTo(StringBuilder builder)
    {
        var rows = new List<(string Labels, TSeries Series)>(_series.Count);
        foreach (var (key, series) in _series)
        {
            if (!Instrument.IsObservable || series.Observed)
            {
                rows.Add((FormatLabels(key), series));
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        rows.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        WriteHeader(builder);
        foreach (var (labels, series) in rows)
        {
            WriteSeries(builder, labels, series);
        }
    }

    protected abstract TSeries CreateSeries();

    protected abstract void WriteSeries(StringBuilder builder, string labels, TSeries series);

    protected TSeries GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = SeriesKey.Create(tags);
        if (!_series.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd(key, static (_, family) => family.CreateSeries(), this);
        }

        if (Instrument.IsObservable)
        {
            series.Observed = true;
        }

        return series;
    }

    /// <summary><c>a="x",b="y"</c> in tag-name order (the key is sorted), values escaped.</summary>
    private static string FormatLabels(SeriesKey key)
    {
        if (key.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < key.Count; i++)
        {
            var tag = key[i];
            builder.Append(i == 0 ? string.Empty : ",").Append(PrometheusText.LabelName(tag.Key)).Append("=\"");
            PrometheusText.AppendLabelValue(builder, PrometheusText.TagValue(tag.Value));
            builder.Append('"');
        }

        return builder.ToString();
    }
}
