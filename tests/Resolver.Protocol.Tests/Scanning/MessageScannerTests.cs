using System.Buffers.Binary;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Tests.Fixtures;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Tests.Scanning;

public class MessageScannerTests
{
    [Fact]
    public void ScanQuery_ReadsHeaderQuestionAndEdns()
    {
        var query = FixtureFiles.Query("www_a");
        Span<byte> name = stackalloc byte[NameWire.MaxNameLength];

        Assert.Equal(DnsParseError.None, MessageScanner.ScanQuery(query, name, out var scan));

        Assert.True(scan.HasQuestion);
        Assert.Equal("www.test.example.", DnsName.FromWire(name[..scan.NameLength]).ToString());
        Assert.Equal(DnsRecordType.A, scan.Type);
        Assert.Equal(DnsClass.IN, scan.Class);
        Assert.True(scan.Header.RecursionDesired);
        Assert.Equal(DnsMessage.Parse(query).Id, scan.Header.Id);
        Assert.True(scan.Edns.Present);
        Assert.Equal(1232, scan.Edns.UdpPayloadSize);
        Assert.Equal(0, scan.Edns.Version);
        Assert.Equal(12 + 18 + 4, scan.QuestionEnd);
    }

    [Fact]
    public void ScanQuery_WithoutOpt_HasNoEdns()
    {
        Span<byte> name = stackalloc byte[NameWire.MaxNameLength];

        Assert.Equal(DnsParseError.None, MessageScanner.ScanQuery(FixtureFiles.Query("noedns_www_a"), name, out var scan));

        Assert.False(scan.Edns.Present);
    }

    [Fact]
    public void ScanQuery_ReportsEdnsVersionAndDoBit()
    {
        var message = new DnsMessage { Id = 1, Edns = new() { Version = 1, DnssecOk = true, UdpPayloadSize = 4096 } };
        message.Questions.Add(new DnsQuestion(DnsName.Parse("example.com"), DnsRecordType.AAAA));
        var buffer = new byte[512];
        Assert.True(message.TryWrite(buffer, out var written));
        Span<byte> name = stackalloc byte[NameWire.MaxNameLength];

        Assert.Equal(DnsParseError.None, MessageScanner.ScanQuery(buffer.AsSpan(0, written), name, out var scan));

        Assert.Equal(1, scan.Edns.Version);
        Assert.True(scan.Edns.DnssecOk);
        Assert.Equal(4096, scan.Edns.UdpPayloadSize);
        Assert.Equal(DnsRecordType.AAAA, scan.Type);
    }

    [Fact]
    public void ScanResponse_LocatesEveryTtl_SoTheyCanBeRewrittenInPlace()
    {
        var response = FixtureFiles.Response("mail_mx");
        Span<ScannedRecord> records = stackalloc ScannedRecord[32];

        Assert.Equal(DnsParseError.None, MessageScanner.ScanResponse(response, records, out var scan));

        Assert.Equal(2 + 2 + 4, scan.RecordCount); // OPT is located, not listed
        Assert.True(scan.Edns.Present);
        Assert.Equal(DnsRecordType.MX, scan.QuestionType);
        foreach (var record in records[..scan.RecordCount])
        {
            Assert.Equal(record.Ttl, BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(record.TtlOffset)));
            BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(record.TtlOffset), 42);
        }

        var aged = DnsMessage.Parse(response);
        Assert.All(aged.Answers.Concat(aged.Authorities).Concat(aged.Additionals), r => Assert.Equal(42u, r.Ttl));
        Assert.Equal([DnsSection.Answer, DnsSection.Answer, DnsSection.Authority], records[..3].ToArray().Select(r => r.Section));
    }

    [Fact]
    public void ScanResponse_ATtlWithTheTopBitSet_ReadsAsZero_ButOptFlagsAreLeftAlone()
    {
        var response = FixtureFiles.Response("mail_mx");
        Span<ScannedRecord> records = stackalloc ScannedRecord[32];
        Assert.Equal(DnsParseError.None, MessageScanner.ScanResponse(response, records, out var before));
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(records[0].TtlOffset), 0x80000000); // RFC 2181 §8
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(records[1].TtlOffset), 0x7FFFFFFF);
        response[before.Edns.RecordOffset + 5] = 0xF0; // OPT's extended RCODE byte, the top of its TTL field

        Assert.Equal(DnsParseError.None, MessageScanner.ScanResponse(response, records, out var scan));

        Assert.Equal((0u, 0x7FFFFFFFu), (records[0].Ttl, records[1].Ttl));
        Assert.Equal(0xF0, scan.Edns.ExtendedRcode);
    }

    [Fact]
    public void ScanResponse_NxdomainSoa_IsInAuthority()
    {
        Span<ScannedRecord> records = stackalloc ScannedRecord[8];

        Assert.Equal(DnsParseError.None, MessageScanner.ScanResponse(FixtureFiles.Response("nxdomain"), records, out var scan));

        Assert.Equal(DnsResponseCode.NXDomain, scan.ResponseCode);
        Assert.Equal(1, scan.RecordCount);
        Assert.Equal(DnsSection.Authority, records[0].Section);
        Assert.Equal(DnsRecordType.SOA, records[0].Type);
    }

    [Fact]
    public void ScanResponse_SpanTooSmall_IsTooManyRecords()
    {
        Span<ScannedRecord> records = stackalloc ScannedRecord[5];

        Assert.Equal(DnsParseError.TooManyRecords, MessageScanner.ScanResponse(FixtureFiles.Response("multi_a"), records, out _));
    }

    [Fact]
    public void Scans_AndNameComparisons_AllocateNothing()
    {
        var query = FixtureFiles.Query("www_a");
        var response = FixtureFiles.Response("mail_mx");
        var left = DnsName.Parse("www.example.com");
        var right = DnsName.Parse("WWW.EXAMPLE.COM");
        Span<byte> name = stackalloc byte[NameWire.MaxNameLength];
        Span<ScannedRecord> records = stackalloc ScannedRecord[32];
        var equal = true;
        MessageScanner.ScanQuery(query, name, out _); // warm up (JIT)
        MessageScanner.ScanResponse(response, records, out _);
        equal &= left.Equals(right) && left.GetHashCode() == right.GetHashCode();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            MessageScanner.ScanQuery(query, name, out _);
            MessageScanner.ScanResponse(response, records, out _);
            equal &= left.Equals(right) && left.GetHashCode() == right.GetHashCode();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(equal);
    }
}
