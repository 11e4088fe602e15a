using System.Net;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Records;

namespace Resolver.Tests.Metrics;

/// <summary>The "Resolver" meter as ResolverMetrics records it, scraped in the Prometheus text format 0.0.4.</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly CollectorHarness _harness = new();
    private readonly ResolverMetrics _metrics;
    private readonly UpstreamServer _upstream = new(new IPEndPoint(IPAddress.Loopback, 5301), UpstreamTransport.Udp, tlsName: null, TimeProvider.System);

    public MetricsCollectorTests()
    {
        _metrics = new ResolverMetrics(_harness.Factory);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _harness.Dispose();
    }

    [Fact]
    public void Counter_is_exposed_with_total_suffix_help_type_and_sorted_labels()
    {
        _metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, 0);
        _metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, 0);
        _metrics.QueryAnswered(DnsTransport.Tcp, DnsRecordType.AAAA, 3);

        var text = _harness.Collector.Scrape();

        Assert.Contains(
            """
            # HELP resolver_queries_total Queries answered, by transport, query type and response code.
            # TYPE resolver_queries_total counter
            resolver_queries_total{rcode="NOERROR",transport="udp",type="A"} 2
            resolver_queries_total{rcode="NXDOMAIN",transport="tcp",type="AAAA"} 1

            """.ReplaceLineEndings("\n"),
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_limited_queries_are_counted_by_action()
    {
        _metrics.RateLimited(slipped: true);
        _metrics.RateLimited(slipped: false);
        _metrics.RateLimited(slipped: false);

        var lines = _harness.ScrapeLines();

        Assert.Contains("resolver_queries_rate_limited_total{action=\"slip\"} 1", lines);
        Assert.Contains("resolver_queries_rate_limited_total{action=\"drop\"} 2", lines);
    }

    [Fact]
    public void Observable_counters_are_read_at_scrape_time()
    {
        _metrics.CacheMiss();
        _metrics.CacheMiss();
        var lines = _harness.ScrapeLines();
        Assert.Contains("# TYPE resolver_cache_misses_total counter", lines);
        Assert.Contains("resolver_cache_misses_total 2", lines);
        Assert.Contains("resolver_cache_hits_total 0", lines);

        _metrics.CacheMiss();
        Assert.Contains("resolver_cache_misses_total 3", _harness.ScrapeLines());
    }

    [Fact]
    public void Histogram_has_cumulative_buckets_ending_in_Inf_equal_to_count()
    {
        _metrics.UpstreamAnswered(_upstream, TimeSpan.FromSeconds(0.25));
        _metrics.UpstreamAnswered(_upstream, TimeSpan.FromSeconds(0.5));
        _metrics.UpstreamAnswered(_upstream, TimeSpan.FromSeconds(20));

        var lines = _harness.ScrapeLines();

        const string Labels = "upstream=\"127.0.0.1:5301/udp\"";
        string[] expected =
        [
            "# HELP resolver_upstream_duration_seconds Upstream round-trip time of answered queries.",
            "# TYPE resolver_upstream_duration_seconds histogram",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.0005\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.001\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.0025\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.005\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.01\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.025\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.05\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.1\"}} 0",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.25\"}} 1",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"0.5\"}} 2",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"1\"}} 2",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"2.5\"}} 2",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"5\"}} 2",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"10\"}} 2",
            $"resolver_upstream_duration_seconds_bucket{{{Labels},le=\"+Inf\"}} 3",
            $"resolver_upstream_duration_seconds_sum{{{Labels}}} 20.75",
            $"resolver_upstream_duration_seconds_count{{{Labels}}} 3",
        ];
        var start = Array.IndexOf(lines, expected[0]);
        Assert.True(start >= 0, string.Join('\n', lines));
        Assert.Equal(expected, lines.Skip(start).Take(expected.Length));
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        _metrics.QueryDropped("a\\b\"c\nd");

        Assert.Contains("resolver_queries_dropped_total{reason=\"a\\\\b\\\"c\\nd\"} 1", _harness.ScrapeLines());
    }

    [Fact]
    public void Families_are_ordered_by_name_and_instruments_never_used_are_left_out()
    {
        _metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, 0);
        _metrics.UpstreamQueried(_upstream);

        var types = _harness.ScrapeLines().Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).ToArray();

        Assert.Equal(types.Order(StringComparer.Ordinal), types);
        Assert.DoesNotContain(types, t => t.Contains("resolver_upstream_failures", StringComparison.Ordinal));
        Assert.Contains("# TYPE resolver_upstream_queries_total counter", types);
    }

    [Fact]
    public void Meters_of_another_factory_or_none_are_not_heard()
    {
        using var otherFactory = new TestMeterFactory();
        using var other = new ResolverMetrics(otherFactory);
        using var unscoped = new ResolverMetrics();
        other.QueryDropped("other-factory");
        unscoped.QueryDropped("unscoped");
        _metrics.QueryDropped("mine");

        var text = _harness.Collector.Scrape();

        Assert.Contains("resolver_queries_dropped_total{reason=\"mine\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other-factory", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unscoped", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_meter_drops_out_of_the_scrape()
    {
        _metrics.QueryDropped("garbage");
        Assert.Contains("resolver_queries_dropped_total{reason=\"garbage\"} 1", _harness.ScrapeLines());

        _metrics.Dispose();

        Assert.DoesNotContain("resolver_queries", _harness.Collector.Scrape(), StringComparison.Ordinal);
    }
}
