using System.Diagnostics.Metrics;
using System.Text;

namespace Resolver.Metrics;

/// <summary>A counter or gauge: the sum of the measurements, or the last one (gauges and observable instruments).</summary>
internal sealed class ValueFamily : MetricFamily<ValueSeries>
{
    private readonly bool _sum;
    private readonly bool _floating;

    public ValueFamily(Instrument instrument, MetricKind kind, bool sum, bool floating)
        : base(instrument, kind)
    {
        _sum = sum;
        _floating = floating;
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_floating)
        {
            Record((double)value, tags);
            return;
        }

        var series = GetSeries(tags);
        if (_sum)
        {
            series.Add(value);
        }
        else
        {
            series.Set(value);
        }
    }

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = GetSeries(tags);
        if (_sum)
        {
            series.Add(value);
        }
        else
        {
            series.Set(value);
        }
    }

    protected override ValueSeries CreateSeries() => new();

    protected override void WriteSeries(StringBuilder builder, string labels, ValueSeries series)
    {
        var value = _floating ? PrometheusText.Number(series.DoubleValue) : PrometheusText.Number(series.LongValue);
        WriteSample(builder, Name, labels, extraLabel: null, value);
    }
}

/// <summary>The value of one counter or gauge series; integer instruments use the long, floating ones the double.</summary>
internal sealed class ValueSeries : Series
{
    private long _long;
    private double _double;

    public long LongValue => Interlocked.Read(ref _long);

    public double DoubleValue => Volatile.Read(ref _double);

    public void Add(long value) => Interlocked.Add(ref _long, value);

    public void Set(long value) => Interlocked.Exchange(ref _long, value);

    public void Add(double value) => AtomicDouble.Add(ref _double, value);

    public void Set(double value) => Interlocked.Exchange(ref _double, value);
}
