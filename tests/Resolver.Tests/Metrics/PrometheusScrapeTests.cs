using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Metrics;

/// <summary>/metrics as the OpenTelemetry Prometheus exporter serves it: the Resolver meter's names as before, and the runtime's.</summary>
/// <remarks>
/// Alone, not beside other test classes: OpenTelemetry subscribes to meters by name across the process, so another
/// test's resolver host (its own "Resolver" meter) shares this one's metric streams, and disposing it can stop them
/// (open-telemetry/opentelemetry-dotnet#6412); a scrape here then read 0 for a counter just incremented.
/// </remarks>
[Collection(nameof(PrometheusScrapeTests))]
public sealed partial class PrometheusScrapeTests : IAsyncLifetime
{
    private TestApp _app = null!;

    private ResolverMetrics Metrics => _app.App.Services.GetRequiredService<ResolverMetrics>();

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Counters_have_the_total_suffix_their_labels_and_help()
    {
        Metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, 0);
        Metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, 0);
        Metrics.QueryAnswered(DnsTransport.Tcp, DnsRecordType.AAAA, 3);

        var text = await ScrapeAsync();

        Assert.Contains("# TYPE resolver_queries_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# HELP resolver_queries_total Queries answered, by transport, query type and response code.", text, StringComparison.Ordinal);
        Assert.Equal(2, Value(text, "resolver_queries_total", ("rcode", "NOERROR"), ("transport", "udp"), ("type", "A")));
        Assert.Equal(1, Value(text, "resolver_queries_total", ("rcode", "NXDOMAIN"), ("transport", "tcp"), ("type", "AAAA")));
    }

    [Fact]
    public async Task Rate_limited_queries_are_counted_by_action()
    {
        Metrics.RateLimited(slipped: true);
        Metrics.RateLimited(slipped: false);
        Metrics.RateLimited(slipped: false);

        var text = await ScrapeAsync();

        Assert.Equal(1, Value(text, "resolver_queries_rate_limited_total", ("action", "slip")));
        Assert.Equal(2, Value(text, "resolver_queries_rate_limited_total", ("action", "drop")));
    }

    [Fact]
    public async Task Observable_counters_are_read_at_scrape_time()
    {
        var before = Value(await ScrapeAsync(), "resolver_cache_misses_total");
        Metrics.CacheMiss();
        Metrics.CacheMiss();

        Assert.Equal(before + 2, Value(await ScrapeAsync(), "resolver_cache_misses_total"));
    }

    [Fact]
    public async Task Histogram_buckets_are_cumulative_and_Inf_equals_the_count()
    {
        var upstream = _app.App.Services.GetRequiredService<Resolver.Core.Upstreams.UpstreamRegistry>().All.First();
        Metrics.UpstreamAnswered(upstream, TimeSpan.FromMilliseconds(3));
        Metrics.UpstreamAnswered(upstream, TimeSpan.FromMilliseconds(40));

        var text = await ScrapeAsync();

        Assert.Contains("# TYPE resolver_upstream_duration_seconds histogram", text, StringComparison.Ordinal);
        var buckets = Samples(text, "resolver_upstream_duration_seconds_bucket").Select(s => s.Value).ToList();
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(2, Value(text, "resolver_upstream_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(2, Value(text, "resolver_upstream_duration_seconds_count"));
    }

    [Fact]
    public async Task Upstream_round_trips_fall_in_buckets_sized_in_seconds()
    {
        var upstream = _app.App.Services.GetRequiredService<Resolver.Core.Upstreams.UpstreamRegistry>().All.First();
        Metrics.UpstreamAnswered(upstream, TimeSpan.FromMilliseconds(3));

        var text = await ScrapeAsync();

        Assert.Equal(0, Value(text, "resolver_upstream_duration_seconds_bucket", ("le", "0.001")));
        Assert.Equal(0, Value(text, "resolver_upstream_duration_seconds_bucket", ("le", "0.0025")));
        Assert.Equal(1, Value(text, "resolver_upstream_duration_seconds_bucket", ("le", "0.005")));
        Assert.Equal(1, Value(text, "resolver_upstream_duration_seconds_bucket", ("le", "10")));
    }

    [Fact]
    public async Task The_runtime_and_the_process_are_in_the_scrape_too()
    {
        var text = await ScrapeAsync();

        Assert.Matches(@"(?m)^dotnet_gc_collections_total\{", text);
        Assert.Matches(@"(?m)^dotnet_process_memory_working_set_bytes\b", text);
    }

    [Fact]
    public async Task The_scrape_needs_no_token()
    {
        using var response = await _app.Http.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync() => await _app.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every pair given.</summary>
    private static double Value(string text, string name, params (string Label, string Value)[] labels) =>
        Samples(text, name).Where(s => labels.All(l => s.Labels.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal))).Sum(s => s.Value);

    private static IEnumerable<(string Labels, double Value)> Samples(string text, string name) =>
        SampleLine().Matches(text)
            .Where(m => m.Groups["name"].Value == name)
            .Select(m => (m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[^ \n]+)")]
    private static partial Regex SampleLine();
}

/// <summary>Runs <see cref="PrometheusScrapeTests"/> with no other test class in parallel.</summary>
[CollectionDefinition(nameof(PrometheusScrapeTests), DisableParallelization = true)]
public sealed class PrometheusScrapeCollection;
