using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Resolver.Core.Telemetry;

namespace Resolver.Hosting;

/// <summary>
/// The metrics pipeline, on one OpenTelemetry MeterProvider (OpenTelemetry.Extensions.Hosting): the "Resolver" meter and
/// the runtime's own ("System.Runtime": GC, thread pool, process CPU and memory), scraped at /metrics by the Prometheus
/// exporter and, when Telemetry:Otlp:Enabled, pushed to an OTLP collector. The service name is "resolver" unless the
/// standard OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise.
/// </summary>
internal static partial class MetricsExport
{
    public const string MetricsPath = "/metrics";
    private const string ServiceName = "resolver";
    private const string RuntimeMeter = "System.Runtime";

    public static IServiceCollection AddMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OtlpOptions>().Bind(configuration.GetSection(OtlpOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OtlpOptions>, OtlpOptionsValidator>();
        var otlp = configuration.GetSection(OtlpOptions.SectionName).Get<OtlpOptions>() ?? new OtlpOptions(); // checked at start by the validator
        services.AddOpenTelemetry()
            // A later resource wins on a shared attribute, and the builder's default one has already read OTEL_SERVICE_NAME and
            // OTEL_RESOURCE_ATTRIBUTES (from IConfiguration: environment, file or command line): reading them again after
            // "resolver" lets them name the service, and "resolver" stays when they do not.
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ResolverMetrics.MeterName, RuntimeMeter);

                // Three runtime gauges end in ".count", which Prometheus keeps for histograms and summaries (promtool
                // check metrics refuses them): renamed for the scrape.
                metrics.AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded" });
                metrics.AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpus" });
                metrics.AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timers.active" });
                metrics.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0); // a scrape shows what was counted until it
                if (otlp.Enabled && IsValid(otlp))
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = new Uri(otlp.Endpoint);
                        exporter.Protocol = Enum.Parse<OtlpExportProtocol>(otlp.Protocol, ignoreCase: true);
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
                    });
                }
            });
        services.AddHostedService<OtlpAnnouncement>();
        return services;
    }

    /// <summary>GET /metrics: the Prometheus text exposition, anonymous (a scrape carries no token).</summary>
    public static WebApplication MapPrometheusMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }

    private static bool IsValid(OtlpOptions options) => new OtlpOptionsValidator().Validate(null, options).Succeeded;

    /// <summary>Says at start where metrics are pushed, when they are.</summary>
    private sealed partial class OtlpAnnouncement(IOptions<OtlpOptions> options, ILogger<OtlpAnnouncement> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value is { Enabled: true } settings)
            {
                LogExporting(logger, settings.Endpoint, settings.Protocol, settings.Interval);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "Exporting metrics over OTLP to {Endpoint} ({Protocol}) every {Interval}")]
        private static partial void LogExporting(ILogger logger, string endpoint, string protocol, TimeSpan interval);
    }

    internal sealed class OtlpOptionsValidator : IValidateOptions<OtlpOptions>
    {
        public ValidateOptionsResult Validate(string? name, OtlpOptions options)
        {
            if (!options.Enabled)
            {
                return ValidateOptionsResult.Success;
            }

            var errors = new List<string>();
            if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
            {
                errors.Add($"Telemetry:Otlp:Endpoint: '{options.Endpoint}' is not an absolute URL.");
            }

            if (!Enum.TryParse<OtlpExportProtocol>(options.Protocol, ignoreCase: true, out _))
            {
                errors.Add($"Telemetry:Otlp:Protocol must be Grpc or HttpProtobuf (was '{options.Protocol}').");
            }

            if (options.Interval < TimeSpan.FromMilliseconds(100) || options.Interval > TimeSpan.FromHours(1))
            {
                errors.Add($"Telemetry:Otlp:Interval must be between 100 ms and 1 hour (was {options.Interval}).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
