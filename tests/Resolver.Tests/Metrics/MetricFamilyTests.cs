using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resolver.Tests.Metrics;

/// <summary>Hand-made instruments on a "Resolver" meter: aggregation, series keys, HELP escaping, and the allocation-free hot path.</summary>
public sealed class MetricFamilyTests : IDisposable
{
    private readonly CollectorHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Gauge_keeps_the_last_value_and_forgets_series_no_longer_observed()
    {
        var reported = new List<Measurement<int>> { new(1, new KeyValuePair<string, object?>("upstream", "a")), new(0, new KeyValuePair<string, object?>("upstream", "b")) };
        _harness.Meter.CreateObservableGauge("test.up", () => reported, description: "Up.");
        var lines = _harness.ScrapeLines();
        Assert.Contains("# TYPE test_up gauge", lines);
        Assert.Contains("test_up{upstream=\"a\"} 1", lines);
        Assert.Contains("test_up{upstream=\"b\"} 0", lines);

        reported.RemoveAt(1);
        reported[0] = new Measurement<int>(0, new KeyValuePair<string, object?>("upstream", "a"));
        lines = _harness.ScrapeLines();

        Assert.Contains("test_up{upstream=\"a\"} 0", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("test_up{upstream=\"b\"}", StringComparison.Ordinal));
    }

    [Fact]
    public void Tag_order_does_not_split_a_series()
    {
        var counter = _harness.Meter.CreateCounter<long>("test.events");
        counter.Add(1, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1"));
        counter.Add(2, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));

        var lines = _harness.ScrapeLines();

        Assert.Equal(["# TYPE test_events_total counter", "test_events_total{a=\"1\",b=\"2\"} 3", string.Empty], lines);
    }

    [Fact]
    public void More_than_four_tags_still_aggregate()
    {
        var counter = _harness.Meter.CreateCounter<long>("test.wide");
        var tags = new TagList { { "e", "5" }, { "d", "4" }, { "c", "3" }, { "b", "2" }, { "a", "1" } };
        counter.Add(1, tags);
        counter.Add(1, tags);

        Assert.Contains("test_wide_total{a=\"1\",b=\"2\",c=\"3\",d=\"4\",e=\"5\"} 2", _harness.ScrapeLines());
    }

    [Fact]
    public void Help_escapes_backslash_and_newline_and_floating_counters_keep_fractions()
    {
        var counter = _harness.Meter.CreateCounter<double>("test.work", "s", "Line one \\ \"two\"\nline three");
        counter.Add(0.5);
        counter.Add(0.25);

        var lines = _harness.ScrapeLines();

        Assert.Equal(
            ["# HELP test_work_seconds_total Line one \\\\ \"two\"\\nline three", "# TYPE test_work_seconds_total counter", "test_work_seconds_total 0.75", string.Empty],
            lines);
    }

    [Fact]
    public void Recording_a_known_series_with_four_tags_allocates_nothing()
    {
        var counter = _harness.Meter.CreateCounter<long>("test.hot");
        var histogram = _harness.Meter.CreateHistogram<double>("test.latency", "s");
        var tags = new TagList { { "transport", "udp" }, { "type", "A" }, { "rcode", "NOERROR" }, { "upstream", "x" } };
        counter.Add(1, tags);
        histogram.Record(0.01, tags);

        // The first rounds may include one-off runtime work (tiering, OSR); a per-measurement allocation shows in every round.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            fewest = Math.Min(fewest, AllocatedWhileRecording(counter, histogram, tags));
        }

        Assert.Equal(0, fewest);
        Assert.Contains("test_hot_total{rcode=\"NOERROR\",transport=\"udp\",type=\"A\",upstream=\"x\"} 5001", _harness.ScrapeLines());
    }

    private static long AllocatedWhileRecording(Counter<long> counter, Histogram<double> histogram, TagList tags)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counter.Add(1, tags);
            histogram.Record(0.01, tags);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
