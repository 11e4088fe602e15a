using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Resolver.Metrics;

/// <summary>The "Resolver" meter in the Prometheus text format 0.0.4 on the admin host (our own exposition: no exporter package).</summary>
internal static class PrometheusExposition
{
    /// <summary>
    /// Registers the <see cref="MetricsCollector"/> for the host's <see cref="IMeterFactory"/>; it starts listening
    /// before any hosted service starts (so before the DNS listeners) and is disposed with the host.
    /// </summary>
    public static IServiceCollection AddPrometheusExposition(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(sp => new MetricsCollector(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILogger<MetricsCollector>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MetricsCollectorStartup>());
        return services;
    }

    /// <summary>GET <paramref name="path"/>: the current scrape, anonymous, <c>text/plain; version=0.0.4; charset=utf-8</c>.</summary>
    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        endpoints.MapGet(path, static (MetricsCollector collector) => Results.Text(collector.Scrape(), PrometheusText.ContentType))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }
}
