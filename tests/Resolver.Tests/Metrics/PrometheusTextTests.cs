using Resolver.Metrics;

namespace Resolver.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("resolver.queries", "{query}", "Counter", "resolver_queries_total")]
    [InlineData("resolver.cache.negative_hits", "{query}", "Counter", "resolver_cache_negative_hits_total")]
    [InlineData("resolver.upstream.duration", "s", "Histogram", "resolver_upstream_duration_seconds")]
    [InlineData("resolver.cache.entries", "{entry}", "Gauge", "resolver_cache_entries")]
    [InlineData("resolver.upstream.up", null, "Gauge", "resolver_upstream_up")]
    [InlineData("http.requests_total", null, "Counter", "http_requests_total")]
    [InlineData("job-2.size", "By", "Gauge", "job_2_size_bytes")]
    [InlineData("9lives", null, "Gauge", "_9lives")]
    public void MetricName_maps_instrument_name_unit_and_kind(string instrument, string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, Enum.Parse<MetricKind>(kind)));

    [Theory]
    [InlineData(0.0005, "0.0005")]
    [InlineData(1.0, "1")]
    [InlineData(2.5, "2.5")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Number_is_what_Prometheus_parses(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Number(value));

    [Fact]
    public void ContentType_is_text_format_004_in_utf8() =>
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusText.ContentType);
}
