using Resolver.Core.Cache;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Cache;

public class CacheKeyTests
{
    private static ReadOnlySpan<byte> Wire(string name) => DnsName.Parse(name).Wire;

    [Fact]
    public void Keys_IgnoreCase_ButNotTypeClassOrFlags()
    {
        var key = CacheKey.Create(Wire("WWW.Example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None);

        Assert.Equal(key, CacheKey.Create(Wire("www.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None));
        Assert.Equal(key.GetHashCode(), CacheKey.Create(Wire("www.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None).GetHashCode());
        Assert.NotEqual(key, CacheKey.Create(Wire("www.example.com"), DnsRecordType.AAAA, DnsClass.IN, CacheFlags.None));
        Assert.NotEqual(key, CacheKey.Create(Wire("www.example.com"), DnsRecordType.A, DnsClass.CH, CacheFlags.None));
        Assert.NotEqual(key, CacheKey.Create(Wire("www.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.DnssecOk));
    }

    [Fact]
    public void NameErrorKey_NeverEqualsAQuestionKey_EvenForType0()
    {
        var type0 = CacheKey.Create(Wire("example.com"), 0, DnsClass.IN, CacheFlags.None);

        Assert.NotEqual(type0, type0.ForNameError());
        Assert.True(type0.ForNameError().IsNameError);
    }

    [Fact]
    public void Probe_EqualsTheStoredKey_AndToStableCopiesIt()
    {
        var stored = CacheKey.Create(Wire("www.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None);

        var probe = CacheKey.Probe(Wire("WWW.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        var kept = probe.ToStable();
        CacheKey.Probe(Wire("other.example.net"), DnsRecordType.MX, DnsClass.IN, CacheFlags.None); // the probe is reused

        Assert.NotSame(probe, kept);
        Assert.Equal(stored, kept);
        Assert.Equal(stored.GetHashCode(), kept.GetHashCode());
        Assert.Same(stored, stored.ToStable());
        Assert.Equal("other.example.net.", probe.ToName().ToString());
    }

    [Fact]
    public void NameErrorAncestor_WalksUpOneLabelAtATime()
    {
        var key = CacheKey.Probe(Wire("a.b.example.com"), DnsRecordType.A, DnsClass.IN, CacheFlags.None);

        Assert.Equal("a.b.example.com.", key.NameErrorAncestor(0)!.ToName().ToString());
        Assert.Equal("example.com.", key.NameErrorAncestor(2)!.ToName().ToString());
        Assert.Equal(".", key.NameErrorAncestor(4)!.ToName().ToString());
        Assert.Null(key.NameErrorAncestor(5));
    }
}
