namespace Resolver.Metrics;

/// <summary>Placeholder: the Prometheus text exposition of the "Resolver" meter (being written).</summary>
internal static class PrometheusExposition
{
    public static IServiceCollection AddPrometheusExposition(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        endpoints.MapGet(path, () => Results.Text(string.Empty, "text/plain; version=0.0.4"));
        return endpoints;
    }
}
