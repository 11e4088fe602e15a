using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;

namespace Resolver.Core.Hosting;

/// <summary>Registers the engine: options (validated at start), cache, upstreams, pipeline and listeners.</summary>
public static class ResolverCoreServices
{
    public static IServiceCollection AddResolverCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<DnsServerOptions>().Bind(configuration.GetSection(DnsServerOptions.SectionName)).PostConfigure(o => o.ApplyDefaults()).ValidateOnStart();
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.AddOptions<UpstreamOptions>().Bind(configuration.GetSection(UpstreamOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DnsServerOptions>, DnsServerOptionsValidator>();
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();

        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var metrics = new ResolverMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            metrics.Observe(sp.GetRequiredService<DnsCache>(), sp.GetRequiredService<UpstreamRegistry>());
            return metrics;
        });
        services.AddSingleton<DnsCache>();
        services.AddSingleton<UpstreamRegistry>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<LocalZone>();
        services.AddSingleton<QueryProcessor>();
        services.AddSingleton<DnsListenerService>();

        // Hosted services start in this order and stop in reverse: the cache snapshot is loaded before the
        // listeners open and saved after they have closed.
        services.AddHostedService<CacheSnapshotService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsListenerService>());
        services.AddHostedService<UpstreamProber>();
        return services;
    }
}
