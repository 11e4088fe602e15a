using System.Net;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Pipeline;

/// <summary>Access control and local records follow a configuration reload.</summary>
public sealed class ReloadedSettingsTests
{
    [Fact]
    public void AccessControl_TakesTheReloadedNetworks()
    {
        var options = new TestOptions<DnsServerOptions>(new DnsServerOptions { AllowedNetworks = ["10.0.0.0/8"] });
        var access = new AccessControl(options);
        Assert.False(access.IsAllowed(IPAddress.Parse("192.168.1.5")));

        options.Reload(new DnsServerOptions { AllowedNetworks = ["192.168.0.0/16"] });

        Assert.True(access.IsAllowed(IPAddress.Parse("192.168.1.5")));
        Assert.False(access.IsAllowed(IPAddress.Parse("10.1.1.1")));
    }

    [Fact]
    public void LocalZone_TakesTheReloadedRecords_Whole()
    {
        var options = new TestOptions<DnsServerOptions>(new DnsServerOptions { LocalRecords = [new LocalRecordOptions { Name = "router.lan", Type = "A", Value = "192.168.1.1" }] });
        var zone = new LocalZone(options);

        options.Reload(new DnsServerOptions { LocalRecords = [new LocalRecordOptions { Name = "nas.lan", Type = "A", Value = "192.168.1.2" }] });

        Assert.Null(zone.TryAnswer(DnsName.Parse("router.lan."), DnsRecordType.A));
        Assert.Equal("192.168.1.2", Assert.Single(zone.TryAnswer(DnsName.Parse("nas.lan."), DnsRecordType.A)!.Records).Data.ToString());
    }
}
