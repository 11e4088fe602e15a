using System.Net;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Tests.Messages;

public class DnsMessageWritingTests
{
    private static DnsMessage MultiAnswer(int count, EdnsRecord? edns = null)
    {
        var name = DnsName.Parse("multi.test.example");
        var message = new DnsMessage { Id = 0x1234, IsResponse = true, RecursionDesired = true, RecursionAvailable = true, Edns = edns };
        message.Questions.Add(new DnsQuestion(name, DnsRecordType.A));
        for (var i = 1; i <= count; i++)
        {
            message.Answers.Add(new DnsResourceRecord(name, 60, new AData(new IPAddress([192, 0, 2, (byte)i]))));
        }

        return message;
    }

    [Fact]
    public void OwnerNames_AreCompressedToPointersAtTheQuestion()
    {
        var buffer = new byte[512];
        Assert.True(MultiAnswer(6).TryWrite(buffer, out var written));

        // Header 12 + question (20-byte name + 4) = 36; each answer: pointer 2 + 10 + 4.
        Assert.Equal(36 + (6 * 16), written);
        Assert.Equal(0xC0, buffer[36]);
        Assert.Equal(0x0C, buffer[37]);
    }

    [Fact]
    public void SharedSuffix_IsCompressed_AndReadsBackTheSame()
    {
        var message = MultiAnswer(0);
        message.Answers.Add(new DnsResourceRecord(DnsName.Parse("multi.test.example"), 60, new CnameData(DnsName.Parse("WWW.Test.Example"))));
        var buffer = new byte[512];
        Assert.True(message.TryWrite(buffer, out var written));

        // The CNAME target writes "WWW" plus a pointer to "Test.Example" inside the question.
        var rdata = buffer.AsSpan(written - 6, 6).ToArray();
        Assert.Equal(new byte[] { 3, (byte)'W', (byte)'W', (byte)'W', 0xC0, 0x12 }, rdata);
        var target = ((CnameData)DnsMessage.Parse(buffer.AsSpan(0, written)).Answers[0].Data).Target;
        Assert.Equal("WWW.test.example.", target.ToString());
    }

    [Fact]
    public void SrvAndRrsigNames_AreNeverCompressed()
    {
        var name = DnsName.Parse("sip.test.example");
        var message = new DnsMessage();
        message.Questions.Add(new DnsQuestion(name, DnsRecordType.SRV));
        message.Answers.Add(new DnsResourceRecord(name, 60, new SrvData(1, 2, 3, name)));
        var buffer = new byte[512];
        Assert.True(message.TryWrite(buffer, out var written));

        Assert.Equal(name.Wire.ToArray(), buffer.AsSpan(written - name.Wire.Length, name.Wire.Length).ToArray());
    }

    [Fact]
    public void TryWrite_TooSmallBuffer_ReturnsFalse()
    {
        var message = MultiAnswer(6);
        Assert.True(message.TryWrite(new byte[512], out var full));

        for (var size = 0; size < full; size++)
        {
            Assert.False(message.TryWrite(new byte[size], out _));
        }
    }

    [Fact]
    public void TryWriteWithinLimit_TooLarge_WritesTruncatedResponseWithQuestionAndOpt()
    {
        var message = MultiAnswer(40, new EdnsRecord { UdpPayloadSize = 1232 });
        var buffer = new byte[4096];

        Assert.True(message.TryWriteWithinLimit(buffer, 512, out var written));

        Assert.True(written <= 512);
        var truncated = DnsMessage.Parse(buffer.AsSpan(0, written));
        Assert.True(truncated.Truncated);
        Assert.Equal(0x1234, truncated.Id);
        Assert.Empty(truncated.Answers);
        Assert.Single(truncated.Questions);
        Assert.NotNull(truncated.Edns);
        Assert.False(message.Truncated); // the source message is untouched
    }

    [Fact]
    public void TryWriteWithinLimit_Fits_WritesEverythingWithoutTc()
    {
        var message = MultiAnswer(6);
        var buffer = new byte[4096];

        Assert.True(message.TryWriteWithinLimit(buffer, 512, out var written));

        var parsed = DnsMessage.Parse(buffer.AsSpan(0, written));
        Assert.False(parsed.Truncated);
        Assert.Equal(6, parsed.Answers.Count);
    }

    [Fact]
    public void ExtendedRcodeWithoutOpt_IsAProgrammingError()
    {
        var message = new DnsMessage { ResponseCode = DnsResponseCode.BadVers };
        Assert.Throws<InvalidOperationException>(() => message.TryWrite(new byte[512], out _));
    }

    [Fact]
    public void CreateResponse_CopiesIdQuestionAndRd()
    {
        var query = MultiAnswer(0);
        query.IsResponse = false;

        var response = DnsMessage.CreateResponse(query, DnsResponseCode.Refused);

        Assert.Equal(query.Id, response.Id);
        Assert.True(response.IsResponse);
        Assert.True(response.RecursionDesired);
        Assert.Equal(query.Questions, response.Questions);
        Assert.Equal(DnsResponseCode.Refused, response.ResponseCode);
    }
}
