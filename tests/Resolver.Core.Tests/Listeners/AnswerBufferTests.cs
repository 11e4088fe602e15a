using System.Net;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Listeners;

public sealed class AnswerBufferTests
{
    [Fact]
    public async Task AMissWaitingOnItsUpstream_HoldsNoArray_AndTheFrameIsSizedToTheAnswer()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(500);
        using var answer = new AnswerBuffer();

        var processing = harness.Processor.ProcessAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), answer.Memory, IPAddress.Loopback, DnsTransport.Tcp);
        var waited = !processing.IsCompleted;
        var heldWhileWaiting = answer.HoldsArray;
        var length = await processing;
        var frame = answer.ToFrame(length);

        Assert.True(waited);
        Assert.False(heldWhileWaiting);
        Assert.True(answer.HoldsArray);
        Assert.Equal(2 + length, frame.Length);
        Assert.Equal(length, (frame[0] << 8) | frame[1]);
        Assert.Equal("192.0.2.10", Assert.Single(DnsMessage.Parse(frame.AsSpan(2)).Answers).Data.ToString());
        Assert.Equal(AnswerBuffer.MaxMessage, answer.Memory.Length); // room for the largest TCP answer all along
    }
}
