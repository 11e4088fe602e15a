using System.Net;
using System.Net.Sockets;
using System.Text;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Hosting;

/// <summary>With Telemetry:Otlp enabled, the Resolver meter is pushed to the collector; a raw loopback listener stands in for it.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task EnabledOtlp_PostsMetricsToTheCollector()
    {
        using var collector = StartCollector(out var port);
        await using var app = await TestApp.StartAsync(extraSections: OtlpSection(port));

        var (requestLine, _) = await ReceiveExportAsync(collector);

        Assert.Equal("POST /v1/metrics HTTP/1.1", requestLine);
        Assert.Contains(app.Logs.Lines, l => l.Contains("Exporting metrics over OTLP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisabledOtlp_ExportsNothing()
    {
        await using var app = await TestApp.StartAsync();

        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("Exporting metrics over OTLP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServiceName_IsResolver_WhenNoOtelSettingNamesIt()
    {
        using var collector = StartCollector(out var port);
        await using var app = await TestApp.StartAsync(extraSections: OtlpSection(port));

        var (_, body) = await ReceiveExportAsync(collector);

        Assert.True(HasServiceName(body, "resolver"), "service.name is not \"resolver\" in the export");
    }

    [Theory]
    [InlineData("\"OTEL_SERVICE_NAME\": \"custom\"")]
    [InlineData("\"OTEL_RESOURCE_ATTRIBUTES\": \"deployment.environment=lab,service.name=custom\"")]
    public async Task ServiceName_ComesFromTheOtelSettings_WhenTheyNameIt(string setting)
    {
        using var collector = StartCollector(out var port);
        await using var app = await TestApp.StartAsync(extraSections: OtlpSection(port) + ", " + setting);

        var (_, body) = await ReceiveExportAsync(collector);

        Assert.True(HasServiceName(body, "custom"), "service.name is not \"custom\" in the export");
        Assert.False(HasServiceName(body, "resolver"), "service.name is still \"resolver\" in the export");
    }

    [Fact]
    public async Task TelemetryOtlpEndpoint_WinsOverOtelExporterOtlpEndpoint()
    {
        using var collector = StartCollector(out var port);
        await using var app = await TestApp.StartAsync(
            extraSections: OtlpSection(port) + """, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc" """);

        var (requestLine, _) = await ReceiveExportAsync(collector);

        Assert.Equal("POST /v1/metrics HTTP/1.1", requestLine);
    }

    private static string OtlpSection(int port) => $$"""
        "Telemetry": { "Otlp": { "Enabled": true, "Endpoint": "http://127.0.0.1:{{port}}/v1/metrics", "Protocol": "HttpProtobuf", "Interval": "00:00:00.2" } }
        """;

    private static TcpListener StartCollector(out int port)
    {
        var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        port = ((IPEndPoint)collector.LocalEndpoint).Port;
        return collector;
    }

    /// <summary>Accepts the exporter's first connection and reads one HTTP request: its request line and its body (Content-Length bytes).</summary>
    private static async Task<(string RequestLine, byte[] Body)> ReceiveExportAsync(TcpListener collector)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var connection = await collector.AcceptTcpClientAsync(timeout.Token);
        var stream = connection.GetStream();
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. received[..headerEnd]]).Split("\r\n");
        var length = int.Parse(
            head.Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = headerEnd + 4;
        while (received.Count < bodyStart + length)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        return (head[0], [.. received.GetRange(bodyStart, length)]);
    }

    /// <summary>
    /// Whether the protobuf export holds the resource attribute service.name = <paramref name="name"/>: a KeyValue's key
    /// (field 1) followed by its AnyValue (field 2) holding string_value (field 1).
    /// </summary>
    private static bool HasServiceName(byte[] body, string name)
    {
        byte[] value = [.. Encoding.UTF8.GetBytes(name)];
        byte[] pattern = [.. "service.name"u8, 0x12, (byte)(value.Length + 2), 0x0A, (byte)value.Length, .. value];
        return body.AsSpan().IndexOf(pattern) >= 0;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> pattern) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).IndexOf(pattern);
}
