using System.Net;
using Resolver.Core.Listeners;

namespace Resolver.Core.Tests.Listeners;

public sealed class TcpSlotsTests
{
    [Fact]
    public void AClientPastItsShare_IsTurnedAway_OthersAreNot_UntilTheServerIsFull()
    {
        var slots = new TcpSlots(max: 3, maxPerClient: 2);
        var a = IPAddress.Parse("192.0.2.1");

        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(a, out var first));
        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(a, out _));
        Assert.Equal(TcpSlots.Admission.ClientLimit, slots.TryOpen(a, out _));
        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(IPAddress.Parse("192.0.2.2"), out _));
        Assert.Equal(TcpSlots.Admission.ConnectionLimit, slots.TryOpen(IPAddress.Parse("192.0.2.3"), out _));
        Assert.Equal(3, slots.Open);

        slots.Close(first);

        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(a, out _));
    }

    [Fact]
    public void OneIpv6Slash64_IsOneClient()
    {
        var slots = new TcpSlots(max: 10, maxPerClient: 1);

        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(IPAddress.Parse("2001:db8:1:2::1"), out _));
        Assert.Equal(TcpSlots.Admission.ClientLimit, slots.TryOpen(IPAddress.Parse("2001:db8:1:2:ffff::9"), out _));
        Assert.Equal(TcpSlots.Admission.Admitted, slots.TryOpen(IPAddress.Parse("2001:db8:1:3::1"), out _));
    }
}
