using System.Net;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using Resolver.Protocol.Tests.Fixtures;

namespace Resolver.Protocol.Tests.Messages;

/// <summary>Real packets from dig/kdig against NSD on loopback (Fixtures/Captured/README.md).</summary>
public class CapturedPacketTests
{
    private static (DnsMessage Query, DnsMessage Response) Exchange(string name)
    {
        var query = DnsMessage.Parse(FixtureFiles.Query(name));
        var response = DnsMessage.Parse(FixtureFiles.Response(name));
        Assert.Equal(query.Id, response.Id);
        Assert.False(query.IsResponse);
        Assert.True(response.IsResponse);
        return (query, response);
    }

    private static string AnswerText(string name) => Assert.Single(Exchange(name).Response.Answers).ToString();

    [Fact]
    public void WwwA_QueryAndResponse()
    {
        var (query, response) = Exchange("www_a");

        Assert.True(query.RecursionDesired);
        Assert.True(query.AuthenticData);
        var question = Assert.Single(query.Questions);
        Assert.Equal("www.test.example.", question.Name.ToString());
        Assert.Equal(DnsRecordType.A, question.Type);
        Assert.Equal(1232, query.Edns!.UdpPayloadSize);
        Assert.Empty(query.Edns.Options);

        Assert.True(response.AuthoritativeAnswer);
        Assert.False(response.RecursionAvailable);
        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Equal("www.test.example.\t300\tIN\tA\t192.0.2.10", Assert.Single(response.Answers).ToString());
        Assert.Equal(2, response.Authorities.Count);
        Assert.All(response.Authorities, r => Assert.Equal(DnsRecordType.NS, r.Type));
        Assert.Equal(["192.0.2.53", "192.0.2.54"], response.Additionals.Select(r => r.Data.ToString()));
    }

    [Fact]
    public void MultiA_CompressedOwnersAllDecode()
    {
        var (_, response) = Exchange("multi_a");

        Assert.Equal(6, response.Answers.Count);
        Assert.All(response.Answers, r => Assert.Equal("multi.test.example.", r.Name.ToString()));
        Assert.All(response.Answers, r => Assert.Equal(60u, r.Ttl));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"192.0.2.{i}"), response.Answers.Select(r => ((AData)r.Data).Address.ToString()));
    }

    [Fact]
    public void MultiA_RewriteCompressesAtLeastAsWellAsNsd()
    {
        var captured = FixtureFiles.Response("multi_a");
        var buffer = new byte[1024];

        Assert.True(DnsMessage.Parse(captured).TryWrite(buffer, out var written));

        Assert.True(written <= captured.Length, $"wrote {written} bytes, NSD wrote {captured.Length}");
        Assert.Equal(DnsMessage.Parse(captured).ToString(), DnsMessage.Parse(buffer.AsSpan(0, written)).ToString());
    }

    [Theory]
    [InlineData("www_aaaa", "www.test.example.\t300\tIN\tAAAA\t2001:db8::10")]
    [InlineData("txt_txt", "txt.test.example.\t3600\tIN\tTXT\t\"hello world\" \"q\\\"b\\\\n\\233\"")]
    [InlineData("sip_srv", "_sip._tcp.test.example.\t3600\tIN\tSRV\t10 60 5060 sip.test.example.")]
    [InlineData("caa_caa", "caa.test.example.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"")]
    [InlineData("svc_https", "svc.test.example.\t3600\tIN\tHTTPS\t1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.10")]
    [InlineData("ptr_ptr", "ptr.test.example.\t3600\tIN\tPTR\twww.test.example.")]
    [InlineData("dname_dname", "dname.test.example.\t3600\tIN\tDNAME\ttarget.example.")]
    [InlineData("unknown_type65280", "unknown.test.example.\t3600\tIN\tTYPE65280\t\\# 4 DEADBEEF")]
    [InlineData("sig_nsec", "sig.test.example.\t3600\tIN\tNSEC\twww.test.example. A RRSIG NSEC")]
    public void SingleAnswer_MatchesWhatDigPrinted(string fixture, string expected)
    {
        Assert.Equal(expected, AnswerText(fixture));
    }

    [Theory]
    [InlineData("sig_rrsig")]
    [InlineData("secure_dnskey")]
    [InlineData("secure_ds")]
    public void DnssecAnswers_MatchDigsTextIgnoringItsLineWrapping(string fixture)
    {
        var dig = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Captured", $"{fixture}.dig.txt"));
        var digAnswer = dig.SkipWhile(l => !l.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal)).Skip(1).First();

        Assert.Equal(digAnswer.Replace(" ", string.Empty, StringComparison.Ordinal), AnswerText(fixture).Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void AliasA_CnameChainInOrder()
    {
        var (_, response) = Exchange("alias_a");

        Assert.Equal(["CNAME", "A"], response.Answers.Select(r => Mnemonics.ToText(r.Type)));
        Assert.Equal(600u, response.Answers[0].Ttl);
        Assert.Equal("www.test.example.", ((CnameData)response.Answers[0].Data).Target.ToString());
    }

    [Fact]
    public void MailMx_GlueForExchangesInAdditional()
    {
        var (_, response) = Exchange("mail_mx");

        Assert.Equal(["10 mx1.test.example.", "20 mx2.test.example."], response.Answers.Select(r => r.Data.ToString()).Order());
        Assert.Equal(4, response.Additionals.Count);
    }

    [Fact]
    public void Nxdomain_CarriesSoaInAuthority()
    {
        var (_, response) = Exchange("nxdomain");

        Assert.Equal(DnsResponseCode.NXDomain, response.ResponseCode);
        Assert.Empty(response.Answers);
        var soa = Assert.Single(response.Authorities);
        Assert.Equal(300u, soa.Ttl);
        Assert.Equal(300u, ((SoaData)soa.Data).Minimum);
    }

    [Theory]
    [InlineData("nodata")]
    [InlineData("n3_nsec3")]
    public void Nodata_IsNoErrorWithSoaAndNoAnswers(string fixture)
    {
        var (_, response) = Exchange(fixture);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Equal(DnsRecordType.SOA, Assert.Single(response.Authorities).Type);
    }

    [Fact]
    public void BigUdp_IsTruncatedWithNoRecords_AndBigTcp_HasAllForty()
    {
        var (query, truncated) = Exchange("big_udp_truncated");
        Assert.Equal(512, query.Edns!.UdpPayloadSize);
        Assert.True(truncated.Truncated);
        Assert.Empty(truncated.Answers);

        var (_, full) = Exchange("big_tcp");
        Assert.Equal(40, full.Answers.Count);
        Assert.All(full.Answers, r => Assert.Equal(60, ((TxtData)r.Data).Strings.Single().Length));
    }

    [Fact]
    public void Queries_CarryTheirEdnsOptions()
    {
        Assert.Null(Exchange("noedns_www_a").Query.Edns);
        Assert.Equal(8, Exchange("cookie_www_a").Query.Edns!.GetOption<CookieOption>()!.Client.Length);
        Assert.Equal((ushort)EdnsOptionCode.Nsid, Assert.Single(Exchange("kdig_www_a").Query.Edns!.Options).Code);
    }

    [Fact]
    public void Axfr_HoldsEveryRecordIncludingNsec3()
    {
        var response = DnsMessage.Parse(FixtureFiles.Response("axfr"));

        Assert.Equal(73, response.Answers.Count);
        Assert.Equal(DnsRecordType.SOA, response.Answers[0].Type);
        Assert.Equal(DnsRecordType.SOA, response.Answers[^1].Type);
        var nsec3 = response.Answers.Single(r => r.Type == DnsRecordType.NSEC3);
        Assert.Equal("1 0 10 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG", nsec3.Data.ToString());
    }

    [Fact]
    public void EveryFixture_RewritesToBytesThatParseToTheSameText()
    {
        foreach (var bytes in FixtureFiles.All())
        {
            var message = DnsMessage.Parse(bytes);
            var buffer = new byte[65535];
            Assert.True(message.TryWrite(buffer, out var written));
            Assert.Equal(message.ToString(), DnsMessage.Parse(buffer.AsSpan(0, written)).ToString());
        }
    }

    [Fact]
    public void ToString_LooksLikeDig()
    {
        var text = Exchange("www_a").Response.ToString();

        Assert.Contains(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id:", text, StringComparison.Ordinal);
        Assert.Contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 2, ADDITIONAL: 3", text, StringComparison.Ordinal);
        Assert.Contains(";www.test.example.\t\tIN\tA", text, StringComparison.Ordinal);
    }
}
