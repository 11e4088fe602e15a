using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Resolver.Core.Telemetry;

namespace Resolver.Hosting;

/// <summary>Pushes the Resolver meter to an OTLP collector through the OpenTelemetry SDK when Telemetry:Otlp:Enabled is true.</summary>
internal static partial class OtlpMetricsExport
{
    public static IServiceCollection AddOtlpMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OtlpOptions>().Bind(configuration.GetSection(OtlpOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OtlpOptions>, OtlpOptionsValidator>();
        services.AddHostedService<OtlpExporterService>();
        return services;
    }

    /// <summary>Owns the meter provider: built at start when enabled, flushed and disposed at stop.</summary>
    private sealed partial class OtlpExporterService(IOptions<OtlpOptions> options, ILogger<OtlpExporterService> logger) : IHostedService, IDisposable
    {
        private MeterProvider? _provider;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            var settings = options.Value;
            if (!settings.Enabled)
            {
                return Task.CompletedTask;
            }

            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(ResolverMetrics.MeterName)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = new Uri(settings.Endpoint);
                    exporter.Protocol = Enum.Parse<OtlpExportProtocol>(settings.Protocol, ignoreCase: true);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.Interval.TotalMilliseconds;
                })
                .Build();
            LogExporting(logger, settings.Endpoint, settings.Protocol, settings.Interval);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _provider?.ForceFlush(1000);
            return Task.CompletedTask;
        }

        public void Dispose() => _provider?.Dispose();

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
