using System.Diagnostics.Metrics;
using System.Text;

namespace Resolver.Metrics;

/// <summary>
/// A histogram with fixed bucket bounds (seconds-friendly, 0.5 ms to 10 s): exposed as cumulative
/// <c>_bucket{le=...}</c> samples ending in +Inf, then <c>_sum</c> and <c>_count</c>.
/// </summary>
internal sealed class HistogramFamily : MetricFamily<HistogramSeries>
{
    /// <summary>Upper bounds (inclusive) of the finite buckets; a last bucket, +Inf, takes the rest.</summary>
    public static readonly double[] Bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly string[] s_leLabels = [.. Bounds.Select(b => $"le=\"{PrometheusText.Number(b)}\""), "le=\"+Inf\""];

    public HistogramFamily(Instrument instrument)
        : base(instrument, MetricKind.Histogram)
    {
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((double)value, tags);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => GetSeries(tags).Record(value);

    protected override HistogramSeries CreateSeries() => new();

    protected override void WriteSeries(StringBuilder builder, string labels, HistogramSeries series)
    {
        Span<long> counts = stackalloc long[Bounds.Length + 1];
        var sum = series.Snapshot(counts);
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            WriteSample(builder, Name + "_bucket", labels, s_leLabels[i], PrometheusText.Number(cumulative));
        }

        WriteSample(builder, Name + "_sum", labels, extraLabel: null, PrometheusText.Number(sum));

        // The count is the +Inf bucket of the same snapshot, so the two always agree.
        WriteSample(builder, Name + "_count", labels, extraLabel: null, PrometheusText.Number(cumulative));
    }
}

/// <summary>Per-bucket (not cumulative) counts and the sum of one histogram series.</summary>
internal sealed class HistogramSeries : Series
{
    private readonly long[] _counts = new long[HistogramFamily.Bounds.Length + 1];
    private double _sum;

    public void Record(double value)
    {
        // NaN compares false with every bound and lands in +Inf.
        var bucket = 0;
        var bounds = HistogramFamily.Bounds;
        while (bucket < bounds.Length && !(value <= bounds[bucket]))
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        AtomicDouble.Add(ref _sum, value);
    }

    /// <summary>Copies the per-bucket counts into <paramref name="counts"/> and returns the sum.</summary>
    public double Snapshot(Span<long> counts)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
        }

        return Volatile.Read(ref _sum);
    }
}
