using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Metrics;

/// <summary>/metrics of a running resolver after real dig queries: valid for promtool, and counting what happened.</summary>
public sealed class PrometheusEndpointTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private int AdminPort => fixture.Stack.Resolver.AdminPort;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Scrape_after_queries_passes_promtool_and_counts_answers_misses_and_upstream_time()
    {
        await MetricsScrape.CountAnAnswerAndAnNxDomainAsync(fixture.Port);

        var scrape = await MetricsScrape.GetAsync(_http, AdminPort);
        var check = await Promtool.CheckMetricsAsync(scrape.Text);

        Assert.True(check.ExitCode == 0, $"promtool check metrics exited {check.ExitCode}:\n{check.StandardOutput}{check.StandardError}\n--- scrape ---\n{scrape}");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scrape.ContentType);
        Assert.True(scrape.Sum("resolver_queries_total", ("rcode", "NOERROR")) > 0, scrape.Text);
        Assert.True(scrape.Sum("resolver_queries_total", ("rcode", "NXDOMAIN")) > 0, scrape.Text);
        Assert.True(scrape.Sum("resolver_cache_misses_total") > 0, scrape.Text);
        Assert.True(scrape.Sum("resolver_upstream_duration_seconds_count") > 0, scrape.Text);
        Assert.Equal(
            scrape.Sum("resolver_upstream_duration_seconds_count"),
            scrape.Sum("resolver_upstream_duration_seconds_bucket", ("le", "+Inf")));
    }

    [Fact]
    public async Task Repeated_query_raises_the_cache_hit_counter()
    {
        var first = await Dig.QueryAsync(fixture.Port, "mail.test.example", "MX");
        Assert.True(first.Status == "NOERROR", first.Text);
        var before = await MetricsScrape.GetAsync(_http, AdminPort);

        var again = await Dig.QueryAsync(fixture.Port, "mail.test.example", "MX");
        Assert.True(again.Status == "NOERROR", again.Text);
        var after = await MetricsScrape.GetAsync(_http, AdminPort);

        var hitsBefore = before.Sum("resolver_cache_hits_total");
        var hitsAfter = after.Sum("resolver_cache_hits_total");
        Assert.True(hitsAfter > hitsBefore, $"resolver_cache_hits_total went from {hitsBefore} to {hitsAfter}.\n{after}");
    }
}
