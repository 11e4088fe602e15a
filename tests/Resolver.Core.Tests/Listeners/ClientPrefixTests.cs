using System.Net;
using Resolver.Core.Listeners;

namespace Resolver.Core.Tests.Listeners;

public sealed class ClientPrefixTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.200", 24, true)]
    [InlineData("192.0.2.1", "192.0.3.1", 24, false)]
    [InlineData("192.0.2.1", "192.0.2.2", 32, false)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.1", 32, true)] // a dual-mode socket's view of the same client
    public void Ipv4(string a, string b, int bits, bool same) =>
        Assert.Equal(same, ClientPrefix.Of(IPAddress.Parse(a), bits, 64) == ClientPrefix.Of(IPAddress.Parse(b), bits, 64));

    [Theory]
    [InlineData("2001:db8:0:1::1", "2001:db8:0:1:ffff::1", 64, true)]
    [InlineData("2001:db8:0:1::1", "2001:db8:0:2::1", 64, false)]
    [InlineData("2001:db8:0:1::1", "2001:db8:0:ff::1", 56, true)]
    [InlineData("2001:db8:0:1::1", "2001:db8:0:100::1", 56, false)]
    public void Ipv6(string a, string b, int bits, bool same) =>
        Assert.Equal(same, ClientPrefix.Of(IPAddress.Parse(a), 32, bits) == ClientPrefix.Of(IPAddress.Parse(b), 32, bits));

    [Fact]
    public void AnIpv4Client_NeverSharesAKeyWithAnIpv6Network() =>
        Assert.NotEqual(ClientPrefix.Of(IPAddress.Parse("0.0.0.0"), 0, 64), ClientPrefix.Of(IPAddress.Parse("::"), 32, 0));
}
