using System.Net;
using Resolver.Core.Cache;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Cache;

/// <summary>Records for names outside the question's alias chain, in any section, never reach the cache (or a client); TTLs with the top bit set count as 0.</summary>
public sealed class AnswerChainTests
{
    [Fact]
    public void ARecordForAnUnrelatedName_IsDropped_TheQuestionsAnswerKept()
    {
        var response = Answer("www.test", Record("www.test", "A", "192.0.2.1"), Record("bank.example", "A", "203.0.113.66"));

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key(), response, "u", new CacheOptions(), 0)!;

        var stored = DnsMessage.Parse(entry.Response);
        Assert.Equal(["www.test. 300 IN A 192.0.2.1"], stored.Answers.Select(Text));
        Assert.Equal(CacheEntryKind.Positive, entry.Kind);
    }

    [Fact]
    public void ACnameChain_InAnyOrder_IsKept_AndOnlyWhatIsOffItGoes()
    {
        var response = Answer(
            "www.test",
            Record("cdn.example", "CNAME", "edge.example."),
            Record("evil.example", "A", "203.0.113.66"),
            Record("edge.example", "A", "192.0.2.7"),
            Record("www.test", "CNAME", "cdn.example."));

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key(), response, "u", new CacheOptions(), 0)!;

        Assert.Equal(
            ["cdn.example. 300 IN CNAME edge.example.", "edge.example. 300 IN A 192.0.2.7", "www.test. 300 IN CNAME cdn.example."],
            DnsMessage.Parse(entry.Response).Answers.Select(Text));
    }

    [Fact]
    public void ADnameAboveTheName_AndItsSynthesizedCname_AreKept()
    {
        var response = Answer(
            "www.old.test",
            Record("old.test", "DNAME", "new.test."),
            Record("www.old.test", "CNAME", "www.new.test."),
            Record("www.new.test", "A", "192.0.2.9"));

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key("www.old.test"), response, "u", new CacheOptions(), 0)!;

        Assert.Equal(3, DnsMessage.Parse(entry.Response).Answers.Count);
    }

    [Fact]
    public void OnlyUnrelatedRecords_LeaveNoAnswer_SoTheResponseIsNoDataNotAPoisonedPositive()
    {
        var response = Answer("www.test", Record("bank.example", "A", "203.0.113.66"));

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key(), response, "u", new CacheOptions(), 0)!;

        Assert.Equal(CacheEntryKind.NoData, entry.Kind);
        Assert.Empty(DnsMessage.Parse(entry.Response).Answers);
    }

    [Fact]
    public void AnNxDomain_KeepsItsZonesSoa_ButNotAnNsOrSoaForAnotherZone()
    {
        var response = Message(
            "gone.test",
            DnsResponseCode.NXDomain,
            answers: [],
            authorities: [Soa("test"), Record("bank.example", "NS", "ns.evil.example."), Soa("bank.example")],
            additionals: [Record("ns.evil.example", "A", "203.0.113.66")]);

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key("gone.test"), response, "u", new CacheOptions(), 0)!;

        var stored = DnsMessage.Parse(entry.Response);
        Assert.Equal(CacheEntryKind.NxDomain, entry.Kind);
        Assert.Equal(["test."], stored.Authorities.Select(r => r.Name.ToString()));
        Assert.Empty(stored.Additionals);
    }

    [Fact]
    public void Glue_ForWhatTheAnswerPointsTo_IsKept_AnAddressForAnyOtherNameGoes()
    {
        var response = Message(
            "mail.test",
            DnsResponseCode.NoError,
            answers: [Record("mail.test", "MX", "mx1.test.")],
            authorities: [Record("test", "NS", "ns1.test.")],
            additionals: [Record("mx1.test", "A", "192.0.2.25"), Record("ns1.test", "A", "192.0.2.53"), Record("www.bank.example", "A", "203.0.113.66")],
            type: DnsRecordType.MX);

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key("mail.test", DnsRecordType.MX), response, "u", new CacheOptions(), 0)!;

        var stored = DnsMessage.Parse(entry.Response);
        Assert.Equal(["mail.test. 300 IN MX 10 mx1.test."], stored.Answers.Select(Text));
        Assert.Equal(["test. 300 IN NS ns1.test."], stored.Authorities.Select(Text));
        Assert.Equal(["mx1.test. 300 IN A 192.0.2.25", "ns1.test. 300 IN A 192.0.2.53"], stored.Additionals.Select(Text));
    }

    [Fact]
    public void AZoneRecordAboveTheEndOfACnameChain_IsKept()
    {
        var response = Message(
            "www.test",
            DnsResponseCode.NXDomain,
            answers: [Record("www.test", "CNAME", "gone.cdn.example.")],
            authorities: [Soa("cdn.example")],
            additionals: []);

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key(), response, "u", new CacheOptions(), 0)!;

        Assert.Equal(["cdn.example."], DnsMessage.Parse(entry.Response).Authorities.Select(r => r.Name.ToString()));
    }

    [Theory]
    [InlineData(0x80000000u)]
    [InlineData(0xFFFFFFFFu)]
    public void ATtlWithTheTopBitSet_CountsAsZero_SoTheAnswerIsServedButNotKept(uint ttl)
    {
        var response = CacheEntryFactoryTests.Response(DnsResponseCode.NoError, [ttl]);

        var entry = CacheEntryFactory.Create(CacheEntryFactoryTests.Key(), response, "u", new CacheOptions(), 0)!;

        Assert.Equal(0u, entry.Ttl);
        Assert.Equal(0u, Assert.Single(DnsMessage.Parse(entry.Response).Answers).Ttl);
    }

    private static string Text(DnsResourceRecord record) => record.ToString().Replace('\t', ' ');

    private static DnsResourceRecord Record(string owner, string type, string data) => new(
        DnsName.Parse(owner),
        300,
        type switch
        {
            "A" => new AData(IPAddress.Parse(data)),
            "CNAME" => new CnameData(DnsName.Parse(data)),
            "NS" => new NsData(DnsName.Parse(data)),
            "MX" => new MxData(10, DnsName.Parse(data)),
            _ => new DnameData(DnsName.Parse(data)),
        });

    private static DnsResourceRecord Soa(string zone) =>
        new(DnsName.Parse(zone), 300, new SoaData(DnsName.Parse("ns1." + zone), DnsName.Parse("hostmaster." + zone), 1, 7200, 900, 1209600, 300));

    private static byte[] Message(
        string question, DnsResponseCode code, DnsResourceRecord[] answers, DnsResourceRecord[] authorities, DnsResourceRecord[] additionals, DnsRecordType type = DnsRecordType.A)
    {
        var message = new DnsMessage { Id = 1, IsResponse = true, ResponseCode = code };
        message.Questions.Add(new DnsQuestion(DnsName.Parse(question), type));
        message.Answers.AddRange(answers);
        message.Authorities.AddRange(authorities);
        message.Additionals.AddRange(additionals);
        var buffer = new byte[1024];
        message.TryWrite(buffer, out var written);
        return buffer[..written];
    }

    private static byte[] Answer(string question, params DnsResourceRecord[] answers)
    {
        var message = new DnsMessage { Id = 1, IsResponse = true };
        message.Questions.Add(new DnsQuestion(DnsName.Parse(question), DnsRecordType.A));
        message.Answers.AddRange(answers);
        var buffer = new byte[1024];
        message.TryWrite(buffer, out var written);
        return buffer[..written];
    }
}
