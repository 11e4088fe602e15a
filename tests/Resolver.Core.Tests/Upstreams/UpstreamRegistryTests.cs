using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;

namespace Resolver.Core.Tests.Upstreams;

public sealed class UpstreamRegistryTests
{
    [Fact]
    public void Reload_KeepsTheServersThatStayed_AddsTheNew_AndReportsTheRemoved()
    {
        var options = new TestOptions<UpstreamOptions>(Options(["127.0.0.1:5301", "127.0.0.1:5302"], forwarder: "127.0.0.1:5310"));
        var registry = new UpstreamRegistry(options, TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);
        var kept = registry.All.Single(s => s.EndPoint.Port == 5302);
        kept.ReportSuccess(TimeSpan.FromMilliseconds(40)); // state that must carry over
        IReadOnlyList<UpstreamServer>? removed = null;
        registry.Changed += r => removed = r;

        options.Reload(Options(["127.0.0.1:5302", "127.0.0.1:5303"], forwarder: "127.0.0.1:5311"));

        Assert.Same(kept, registry.PoolFor(DnsName.Parse("www.example.").Wire).Servers[0]);
        Assert.Equal(40, kept.SmoothedRttMs);
        Assert.Equal([5302, 5303], registry.PoolFor(DnsName.Parse("www.example.").Wire).Servers.Select(s => s.EndPoint.Port));
        Assert.Equal([5311], registry.PoolFor(DnsName.Parse("db.corp.internal.").Wire).Servers.Select(s => s.EndPoint.Port));
        Assert.Equal([5301, 5310], removed!.Select(s => s.EndPoint.Port).Order());
        Assert.Equal(3, registry.All.Count());
    }

    [Fact]
    public void Reload_WithoutTheForwarder_SendsItsNamesToTheDefaultPool()
    {
        var options = new TestOptions<UpstreamOptions>(Options(["127.0.0.1:5301"], forwarder: "127.0.0.1:5310"));
        var registry = new UpstreamRegistry(options, TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);

        options.Reload(Options(["127.0.0.1:5301"], forwarder: null));

        Assert.Equal(5301, Assert.Single(registry.PoolFor(DnsName.Parse("db.corp.internal.").Wire).Servers).EndPoint.Port);
        Assert.Equal(1, registry.PoolApexLength(DnsName.Parse("db.corp.internal.").Wire));
    }

    private static UpstreamOptions Options(string[] servers, string? forwarder) => new()
    {
        Servers = [.. servers.Select(s => new UpstreamServerOptions { Address = s })],
        Forwarders = forwarder is null ? [] : [new ForwarderOptions { Domain = "corp.internal", Servers = [new UpstreamServerOptions { Address = forwarder }] }],
    };
}
