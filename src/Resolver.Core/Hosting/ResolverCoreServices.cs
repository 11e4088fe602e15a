using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;

namespace Resolver.Core.Hosting;

/// <summary>Registers the engine: options (validated at start), cache, upstreams, pipeline and listeners.</summary>
public static class ResolverCoreServices
{
    public static IServiceCollection AddResolverCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<DnsServerOptions>().Bind(configuration.GetSection(DnsServerOptions.SectionName)).PostConfigure(o => o.ApplyDefaults()).ValidateOnStart();
        // The host's own stop timeout must leave room for the longest Dns:ShutdownGrace and the snapshot written after it.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = DnsServerOptionsValidator.MaxShutdownGrace + TimeSpan.FromSeconds(30));
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.AddOptions<UpstreamOptions>().Bind(configuration.GetSection(UpstreamOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DnsServerOptions>, DnsServerOptionsValidator>();
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddOptions<WatchOptions>().Bind(configuration.GetSection(WatchOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        services.AddSingleton<IValidateOptions<WatchOptions>, WatchOptionsValidator>();

        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var metrics = new ResolverMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            metrics.Observe(sp.GetRequiredService<DnsCache>(), sp.GetRequiredService<UpstreamRegistry>());
            metrics.Observe(sp.GetRequiredService<HoldTable>());
            return metrics;
        });
        services.AddSingleton<DnsCache>();
        services.AddSingleton<UpstreamRegistry>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<LocalZone>();
        services.AddSingleton<WatchList>();
        services.AddSingleton<HoldTable>();
        services.AddSingleton<QueryProcessor>();
        services.AddSingleton<DnsListenerService>();

        // Hosted services start in this order and stop in reverse: the cache snapshot is loaded before the
        // listeners open and saved after they have closed.
        services.AddHostedService<CacheSnapshotService>();
        services.AddHostedService<WatchStore>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsListenerService>());
        services.AddHostedService<UpstreamProber>();
        services.AddHostedService<WatchProber>();
        return services;
    }
}
