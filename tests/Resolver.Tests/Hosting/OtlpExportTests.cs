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
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var port = ((IPEndPoint)collector.LocalEndpoint).Port;
        await using var app = await TestApp.StartAsync(extraSections: $$"""
            "Telemetry": { "Otlp": { "Enabled": true, "Endpoint": "http://127.0.0.1:{{port}}/v1/metrics", "Protocol": "HttpProtobuf", "Interval": "00:00:00.2" } }
            """);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var connection = await collector.AcceptTcpClientAsync(timeout.Token);
        var buffer = new byte[256];
        var read = await connection.GetStream().ReadAsync(buffer, timeout.Token);
        var requestLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];

        Assert.Equal("POST /v1/metrics HTTP/1.1", requestLine);
        Assert.Contains(app.Logs.Lines, l => l.Contains("Exporting metrics over OTLP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisabledOtlp_ExportsNothing()
    {
        await using var app = await TestApp.StartAsync();

        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("Exporting metrics over OTLP", StringComparison.Ordinal));
    }
}
