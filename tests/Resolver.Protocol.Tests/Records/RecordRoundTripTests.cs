using System.Net;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Tests.Records;

/// <summary>Every record type: write → read → presentation text, and the bytes survive a second write.</summary>
public class RecordRoundTripTests
{
    private static readonly DnsName s_owner = DnsName.Parse("rr.test.example");

    public static TheoryData<string, DnsRecordData, string> Records => new()
    {
        { "A", new AData(IPAddress.Parse("192.0.2.1")), "192.0.2.1" },
        { "AAAA", new AaaaData(IPAddress.Parse("2001:db8::10")), "2001:db8::10" },
        { "NS", new NsData(DnsName.Parse("ns1.test.example")), "ns1.test.example." },
        { "CNAME", new CnameData(DnsName.Parse("www.test.example")), "www.test.example." },
        { "DNAME", new DnameData(DnsName.Parse("target.example")), "target.example." },
        { "PTR", new PtrData(DnsName.Parse("www.test.example")), "www.test.example." },
        {
            "SOA", new SoaData(DnsName.Parse("ns1.test.example"), DnsName.Parse("hostmaster.test.example"), 2026112101, 3600, 900, 604800, 300),
            "ns1.test.example. hostmaster.test.example. 2026112101 3600 900 604800 300"
        },
        { "MX", new MxData(10, DnsName.Parse("mx1.test.example")), "10 mx1.test.example." },
        { "TXT", new TxtData(new byte[][] { [.. "hello world"u8], [(byte)'q', (byte)'"', (byte)'\\', 0xE9] }), "\"hello world\" \"q\\\"\\\\\\233\"" },
        { "SRV", new SrvData(10, 60, 5060, DnsName.Parse("sip.test.example")), "10 60 5060 sip.test.example." },
        { "CAA", new CaaData(0, "issue", "letsencrypt.org"u8), "0 issue \"letsencrypt.org\"" },
        {
            "HTTPS", new SvcbData(DnsRecordType.HTTPS, 1, DnsName.Root, [(1, [2, .. "h2"u8, 2, .. "h3"u8]), (3, [0x20, 0xFB]), (4, [192, 0, 2, 10])]),
            "1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.10"
        },
        { "SVCB", new SvcbData(DnsRecordType.SVCB, 0, DnsName.Parse("svc.test.example"), []), "0 svc.test.example." },
        { "DS", new DsData(12345, 13, 2, [0xAB, 0xCD, 0xEF]), "12345 13 2 ABCDEF" },
        { "DNSKEY", new DnskeyData(257, 3, 13, [1, 2, 3, 4]), "257 3 13 AQIDBA==" },
        {
            "RRSIG", new RrsigData(DnsRecordType.A, 13, 3, 3600, 1798761600, 1793491200, 12345, DnsName.Parse("test.example"), [1, 2, 3]),
            "A 13 3 3600 20270101000000 20261101000000 12345 test.example. AQID"
        },
        { "NSEC", new NsecData(DnsName.Parse("www.test.example"), new TypeBitmap([DnsRecordType.A, DnsRecordType.RRSIG, DnsRecordType.NSEC, DnsRecordType.CAA])), "www.test.example. A RRSIG NSEC CAA" },
        {
            "NSEC3", new Nsec3Data(1, 0, 10, [0xAA, 0xBB, 0xCC, 0xDD], Convert.FromHexString("17F3DF17B2B2ADAEF615257DE4D2020B80AC6C7C"), new TypeBitmap([DnsRecordType.A, DnsRecordType.RRSIG])),
            "1 0 10 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG"
        },
        { "TYPE65280", new UnknownData((DnsRecordType)65280, [0xDE, 0xAD, 0xBE, 0xEF]), @"\# 4 DEADBEEF" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void WriteReadPresent_RoundTrips(string type, DnsRecordData data, string expectedText)
    {
        var message = new DnsMessage { Id = 7, IsResponse = true };
        message.Questions.Add(new DnsQuestion(s_owner, data.Type));
        message.Answers.Add(new DnsResourceRecord(s_owner, 3600, data));
        var buffer = new byte[1024];
        Assert.True(message.TryWrite(buffer, out var written));

        var parsed = DnsMessage.Parse(buffer.AsSpan(0, written));

        var record = Assert.Single(parsed.Answers);
        Assert.Equal(type, Mnemonics.ToText(record.Type));
        Assert.Equal(data.GetType(), record.Data.GetType());
        Assert.Equal(expectedText, record.Data.ToString());
        Assert.Equal($"rr.test.example.\t3600\tIN\t{type}\t{expectedText}", record.ToString());
        var again = new byte[1024];
        Assert.True(parsed.TryWrite(again, out var rewritten));
        Assert.Equal(buffer.AsSpan(0, written).ToArray(), again.AsSpan(0, rewritten).ToArray());
    }

    [Fact]
    public void Edns_WithEveryDecodedOption_RoundTrips()
    {
        var message = new DnsMessage { Id = 9, ResponseCode = DnsResponseCode.BadVers };
        message.Questions.Add(new DnsQuestion(s_owner, DnsRecordType.A));
        message.Edns = new EdnsRecord { UdpPayloadSize = 1232, DnssecOk = true };
        message.Edns.Options.Add(new CookieOption([1, 2, 3, 4, 5, 6, 7, 8], [9, 9, 9, 9, 9, 9, 9, 9]));
        message.Edns.Options.Add(new ExtendedErrorOption(ExtendedErrorCode.StaleAnswer, "upstreams down"));
        message.Edns.Options.Add(new PaddingOption(5));
        message.Edns.Options.Add(new OpaqueEdnsOption((ushort)EdnsOptionCode.ClientSubnet, [0, 1, 24, 0, 192, 0, 2]));
        var buffer = new byte[512];
        Assert.True(message.TryWrite(buffer, out var written));

        var parsed = DnsMessage.Parse(buffer.AsSpan(0, written));

        Assert.Equal(DnsResponseCode.BadVers, parsed.ResponseCode);
        Assert.NotNull(parsed.Edns);
        Assert.True(parsed.Edns.DnssecOk);
        Assert.Equal(1, parsed.Edns.ExtendedRcode);
        Assert.Equal("0102030405060708", Convert.ToHexStringLower(parsed.Edns.GetOption<CookieOption>()!.Client));
        var ede = parsed.Edns.GetOption<ExtendedErrorOption>()!;
        Assert.Equal(ExtendedErrorCode.StaleAnswer, ede.InfoCode);
        Assert.Equal("EDE: 3 (StaleAnswer): (upstreams down)", ede.ToString());
        Assert.Equal(5, parsed.Edns.GetOption<PaddingOption>()!.Length);
        Assert.Equal(8, parsed.Edns.GetOption<OpaqueEdnsOption>()!.Code);
        Assert.Empty(parsed.Additionals);
        Assert.Contains("; EDNS: version: 0, flags: do; udp: 1232", parsed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mnemonics_ParseKnownAndGenericForms()
    {
        Assert.True(Mnemonics.TryParseType("aaaa", out var aaaa));
        Assert.Equal(DnsRecordType.AAAA, aaaa);
        Assert.True(Mnemonics.TryParseType("TYPE65280", out var generic));
        Assert.Equal((DnsRecordType)65280, generic);
        Assert.False(Mnemonics.TryParseType("NOPE", out _));
        Assert.Equal("CLASS42", Mnemonics.ToText((DnsClass)42));
    }
}
