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

        services.AddResolverOptions(configuration);

        // The host's own stop timeout must leave room for the longest Dns:ShutdownGrace and the snapshot written after it.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = DnsServerOptionsValidator.MaxShutdownGrace + TimeSpan.FromSeconds(30));

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

    /// <summary>
    /// The engine's options, bound from <paramref name="configuration"/> and validated (at start, and through
    /// <see cref="Validate"/> before a reload is taken).
    /// </summary>
    public static IServiceCollection AddResolverOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DnsServerOptions>().Bind(configuration.GetSection(DnsServerOptions.SectionName)).PostConfigure(o => o.ApplyDefaults()).ValidateOnStart();
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.AddOptions<UpstreamOptions>().Bind(configuration.GetSection(UpstreamOptions.SectionName)).ValidateOnStart();
        services.AddOptions<WatchOptions>().Bind(configuration.GetSection(WatchOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DnsServerOptions>, DnsServerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WatchOptions>, WatchOptionsValidator>());
        return services;
    }

    /// <summary>
    /// Every problem <paramref name="configuration"/> has for the engine, each naming its key: the same binding and checks
    /// as at start, run apart from the running resolver. Empty when it may be taken.
    /// </summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddResolverOptions(configuration).BuildServiceProvider();
        var errors = new List<string>();
        Check<DnsServerOptions>(services, errors);
        Check<CacheOptions>(services, errors);
        Check<UpstreamOptions>(services, errors);
        Check<WatchOptions>(services, errors);
        return errors;

        static void Check<T>(IServiceProvider services, List<string> errors)
            where T : class
        {
            try
            {
                _ = services.GetRequiredService<IOptions<T>>().Value;
            }
            catch (OptionsValidationException e)
            {
                errors.AddRange(e.Failures);
            }
            catch (InvalidOperationException e)
            {
                errors.Add(e.Message); // a value of the wrong type: the binder's message names the key
            }
        }
    }
}
