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

    [Fact]
    public void TwoServersOfOneAddress_GetNamesOfTheirOwn_AndAConfiguredNameIsUsed()
    {
        var options = new UpstreamOptions
        {
            Servers = [new UpstreamServerOptions { Address = "127.0.0.1:5301" }, new UpstreamServerOptions { Address = "127.0.0.1:5302", Name = "backup" }],
            Forwarders = [new ForwarderOptions { Domain = "corp.internal", Servers = [new UpstreamServerOptions { Address = "127.0.0.1:5301" }] }],
        };
        var monitor = new TestOptions<UpstreamOptions>(options);
        var registry = new UpstreamRegistry(monitor, TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);
        var before = registry.All.ToList();

        monitor.Reload(options); // the same again: every server kept, names too

        Assert.Equal(["127.0.0.1:5301/udp", "backup", "127.0.0.1:5301/udp#2"], registry.All.Select(s => s.Name));
        Assert.Equal(before, registry.All);
        Assert.Same(registry.All.Last(), registry.Find("127.0.0.1:5301/udp#2"));
    }

    [Fact]
    public void AConfiguredNameGivenTwice_IsRefusedNamingBothKeys()
    {
        var options = new UpstreamOptions
        {
            Servers = [new UpstreamServerOptions { Address = "127.0.0.1:5301", Name = "main" }],
            Forwarders = [new ForwarderOptions { Domain = "corp.internal", Servers = [new UpstreamServerOptions { Address = "127.0.0.1:5302", Name = "MAIN" }] }],
        };

        var result = new UpstreamOptionsValidator().Validate(null, options);

        Assert.Contains("Upstreams:Servers:0:Name and Upstreams:Forwarders:0:Servers:0:Name", result.FailureMessage, StringComparison.Ordinal);
    }

    private static UpstreamOptions Options(string[] servers, string? forwarder) => new()
    {
        Servers = [.. servers.Select(s => new UpstreamServerOptions { Address = s })],
        Forwarders = forwarder is null ? [] : [new ForwarderOptions { Domain = "corp.internal", Servers = [new UpstreamServerOptions { Address = forwarder }] }],
    };
}
