using System.Net;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Cache;

public class CacheEntryFactoryTests
{
    internal static readonly DnsName Www = DnsName.Parse("www.test");

    internal static byte[] Response(DnsResponseCode code, uint[] answerTtls, uint? soaTtl = null, uint soaMinimum = 300, bool edns = true, string name = "www.test", bool authenticated = false)
    {
        var owner = DnsName.Parse(name);
        var message = new DnsMessage { Id = 1, IsResponse = true, ResponseCode = code, AuthenticData = authenticated };
        message.Questions.Add(new DnsQuestion(owner, DnsRecordType.A));
        for (var i = 0; i < answerTtls.Length; i++)
        {
            message.Answers.Add(new DnsResourceRecord(owner, answerTtls[i], new AData(new IPAddress([192, 0, 2, (byte)(i + 1)]))));
        }

        if (soaTtl is { } ttl)
        {
            var zone = owner.IsRoot ? owner : owner.Parent(); // a zone above the name, as RFC 2308 has it (one elsewhere would be scrubbed)
            message.Authorities.Add(new DnsResourceRecord(zone, ttl, new SoaData(DnsName.Parse("ns.test"), DnsName.Parse("hostmaster.test"), 1, 3600, 900, 604800, soaMinimum)));
        }

        else
        {
            message.Authorities.Add(new DnsResourceRecord(DnsName.Parse("test"), 86400, new NsData(DnsName.Parse("ns.test")))); // the zone's servers ...
        }

        message.Additionals.Add(new DnsResourceRecord(DnsName.Parse("ns.test"), 86400, new AData(IPAddress.Parse("192.0.2.53")))); // ... and glue for the one an NS names
        message.Edns = edns ? new EdnsRecord() : null;
        var buffer = new byte[1024];
        message.TryWrite(buffer, out var written);
        return buffer[..written];
    }

    internal static CacheKey Key(string name = "www.test", DnsRecordType type = DnsRecordType.A) =>
        CacheKey.Create(DnsName.Parse(name).Wire, type, DnsClass.IN, CacheFlags.None);

    [Fact]
    public void Positive_TtlIsSmallestAnswerTtl_AndEveryStoredTtlIsCappedByIt()
    {
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [300, 120, 600]), "u", new CacheOptions(), 0)!;

        Assert.Equal(CacheEntryKind.Positive, entry.Kind);
        Assert.Equal(120u, entry.Ttl);
        Assert.Equal([120u, 120u, 120u, 120u, 120u], entry.TtlSlots.Select(s => s.Ttl)); // 3 answers, the 86400 NS and its glue, capped
        var stored = DnsMessage.Parse(entry.Response);
        Assert.All(stored.Answers.Concat(stored.Authorities).Concat(stored.Additionals), r => Assert.True(r.Ttl <= 120));
        Assert.Null(stored.Edns); // OPT is stripped; each client gets its own
        Assert.Equal("u", entry.Upstream);
    }

    [Theory]
    [InlineData(5u, 60, 3600, 60u)]
    [InlineData(7200u, 0, 3600, 3600u)]
    [InlineData(300u, 0, 86400, 300u)]
    public void Positive_TtlIsClampedByMinAndMax(uint answerTtl, int minSeconds, int maxSeconds, uint expected)
    {
        var options = new CacheOptions { MinTtl = TimeSpan.FromSeconds(minSeconds), MaxTtl = TimeSpan.FromSeconds(maxSeconds) };

        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [answerTtl]), null, options, 0)!;

        Assert.Equal(expected, entry.Ttl);
    }

    [Theory]
    [InlineData(3600u, 300u, 300, 300u)] // SOA MINIMUM below SOA TTL
    [InlineData(60u, 300u, 300, 60u)] // SOA TTL below MINIMUM
    [InlineData(86400u, 86400u, 300, 300u)] // capped by MaxNegativeTtl
    [InlineData(86400u, 86400u, 30, 30u)]
    public void NxDomain_TtlIsMinOfSoaTtlAndMinimum_CappedByMaxNegativeTtl(uint soaTtl, uint minimum, int maxNegativeSeconds, uint expected)
    {
        var options = new CacheOptions { MaxNegativeTtl = TimeSpan.FromSeconds(maxNegativeSeconds) };

        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NXDomain, [], soaTtl, minimum), null, options, 0)!;

        Assert.Equal(CacheEntryKind.NxDomain, entry.Kind);
        Assert.Equal(expected, entry.Ttl);
        Assert.True(entry.Key.IsNameError); // cached per name, not per type
        Assert.Equal(expected, DnsMessage.Parse(entry.Response).Authorities.Single().Ttl);
    }

    [Fact]
    public void AnswerOfAnotherTypeOnly_IsNoData_NotAPositiveEntry()
    {
        var aaaa = Key(type: DnsRecordType.AAAA);

        var entry = CacheEntryFactory.Create(aaaa, Response(DnsResponseCode.NoError, [300], soaTtl: 3600, soaMinimum: 120), null, new CacheOptions(), 0)!;

        Assert.Equal(CacheEntryKind.NoData, entry.Kind);
        Assert.Equal(120u, entry.Ttl);
    }

    [Fact]
    public void NoData_IsCachedPerNameAndType()
    {
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [], 3600, 120), null, new CacheOptions(), 0)!;

        Assert.Equal(CacheEntryKind.NoData, entry.Kind);
        Assert.Equal(120u, entry.Ttl);
        Assert.Equal(Key(), entry.Key);
    }

    [Fact]
    public void NegativeWithoutSoa_GetsTtlZero_SoItIsNotCached()
    {
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NXDomain, []), null, new CacheOptions(), 0)!;

        Assert.Equal(0u, entry.Ttl);
    }

    [Fact]
    public void OptBeforeOtherAdditionalRecords_IsRemovedWithoutBreakingPointers()
    {
        // Authority: test NS ns1.test. Additional: OPT first, then ns1.test A, then ns1.test AAAA whose owner points at
        // the A's owner (offset 71, behind the OPT). Cutting the OPT in place would leave that pointer dangling.
        var response = Convert.FromHexString(string.Concat(
            "0001818000010001000100030377777704746573740000010001",
            "c00c000100010000012c0004c0000201",
            "c010000200010000012c0006036e7331c010",
            "0000290" + "4d0000000000000",
            "036e7331c010000100010000012c0004c0000235",
            "c047001c00010000012c001020010db8000000000000000000000053"));

        var entry = CacheEntryFactory.Create(Key("www.test"), response, null, new CacheOptions(), 0)!;

        var stored = DnsMessage.Parse(entry.Response);
        Assert.Null(stored.Edns);
        Assert.Equal(["ns1.test.", "ns1.test."], stored.Additionals.Select(r => r.Name.ToString()));
        Assert.Equal("2001:db8::53", stored.Additionals[1].Data.ToString());
    }

    [Fact]
    public void PositiveRecords_AreRaisedToMinTtl()
    {
        var options = new CacheOptions { MinTtl = TimeSpan.FromSeconds(60) };

        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [5, 300]), null, options, 0)!;

        Assert.Equal(60u, entry.Ttl);
        Assert.All(entry.TtlSlots, slot => Assert.Equal(60u, slot.Ttl));
    }

    [Fact]
    public void ServFailOrRefused_IsNotAnEntry()
    {
        Assert.Null(CacheEntryFactory.Create(Key(), Response(DnsResponseCode.ServFail, []), null, new CacheOptions(), 0));
        Assert.Null(CacheEntryFactory.Create(Key(), Response(DnsResponseCode.Refused, []), null, new CacheOptions(), 0));
        Assert.Null(CacheEntryFactory.Create(Key(), [1, 2, 3], null, new CacheOptions(), 0));
    }

    [Fact]
    public void Key_ReadsItsNameFromTheStoredQuestion_LowerCased()
    {
        var response = Response(DnsResponseCode.NoError, [300], name: "WwW.TeSt"); // as a 0x20-randomized upstream answer

        var entry = CacheEntryFactory.Create(Key("www.test"), response, "u", new CacheOptions(), 0)!;

        Assert.Same(entry.Storage, entry.Key.NameStorage.Array); // the name is not held twice
        Assert.Equal(Key("www.test").Name.ToArray(), entry.Key.Name.ToArray());
        Assert.Equal(Key("www.test"), entry.Key);
        Assert.Equal(Key("www.test").GetHashCode(), entry.Key.GetHashCode());
    }
}
