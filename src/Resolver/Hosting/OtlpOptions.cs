namespace Resolver.Hosting;

/// <summary>The "Telemetry:Otlp" section: optional push of the Resolver meter to an OpenTelemetry collector. Off by default.</summary>
public sealed class OtlpOptions
{
    public const string SectionName = "Telemetry:Otlp";

    public bool Enabled { get; set; }

    /// <summary>The collector: http://127.0.0.1:4317 for gRPC, http://127.0.0.1:4318/v1/metrics for HTTP.</summary>
    public string Endpoint { get; set; } = "http://127.0.0.1:4317";

    /// <summary>Grpc or HttpProtobuf.</summary>
    public string Protocol { get; set; } = "Grpc";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);
}
