using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Resolver.Admin;
using Resolver.Core.Cache;
using Resolver.Core.Hosting;

namespace Resolver.Hosting;

/// <summary>Builds the process: configuration sources, the engine, and the admin web host on Admin:Urls.</summary>
internal static class ResolverHost
{
    public const string DefaultAdminUrls = "http://127.0.0.1:8053";
    private const string FormatterNameKey = "Logging:Console:FormatterName";

    /// <summary>Builds the app; <paramref name="configureServices"/> lets tests swap services (a manual clock, a log collector).</summary>
    public static WebApplication Build(string[] args, string configPath, Action<IServiceCollection>? configureServices = null)
    {
        var rest = ConfigurationFile.WithoutSwitch(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();

        // The file changes only through the reloader, which checks a new file before it is taken (ConfigurationReloader).
        var file = new ReloadableJsonSource(configPath);
        ((IConfigurationBuilder)builder.Configuration)
            .Add(file)
            .AddEnvironmentVariables()
            .AddCommandLine(rest);

        builder.Host.UseSystemd(); // READY=1/STOPPING=1 for the Type=notify unit (deploy/resolver.service); a no-op outside systemd
        builder.Services.AddOptions<ConsoleLoggerOptions>().Configure<IConfiguration>(KeepConfiguredFormatter);
        builder.WebHost.UseUrls(builder.Configuration["Admin:Urls"] ?? DefaultAdminUrls);
        builder.Services.AddResolverCore(builder.Configuration);
        builder.Services.AddSingleton(file);
        builder.Services.AddSingleton(new ReloadArguments(rest));
        builder.Services.AddSingleton<ConfigurationReloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigurationReloader>());
        builder.Services.AddAdminApi(builder.Configuration);
        builder.Services.AddOptions<CacheOptions>()
            .PostConfigure<IOptions<AdminOptions>>((cache, admin) => cache.SnapshotPath ??= DefaultSnapshotPath(admin.Value));
        builder.Services.AddMetricsExport(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapAdminApi();
        app.MapPrometheusMetrics();
        return app;
    }

    /// <summary>
    /// Logging:Console:FormatterName ("json", "simple") when it is set: under systemd, UseSystemd sets "systemd" after
    /// the Logging section is bound and would win over it. Without the key, systemd's format stays under systemd.
    /// </summary>
    private static void KeepConfiguredFormatter(ConsoleLoggerOptions options, IConfiguration configuration)
    {
        if (configuration[FormatterNameKey] is { Length: > 0 } name)
        {
            options.FormatterName = name;
        }
    }

    /// <summary>
    /// Cache:SnapshotPath when not configured: <c>cache.snapshot</c> beside the admin token file, the one
    /// directory the resolver already keeps state in (the engine does not know it, hence here).
    /// </summary>
    internal static string DefaultSnapshotPath(AdminOptions admin) =>
        Path.Combine(Path.GetDirectoryName(admin.ResolveTokenFile()) ?? string.Empty, "cache.snapshot");
}
