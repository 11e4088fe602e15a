using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>Sockets to one UDP upstream reused within a short window, one query at a time, each query with its own ID.</summary>
public class UdpSocketPoolTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AnsweredQueries_ReuseOneSocket_EachWithItsOwnId()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());

        var queries = Enumerable.Range(0, 5).Select(_ => Query("www.test.")).ToList();
        foreach (var query in queries)
        {
            var answer = await pool.ExchangeAsync(query, Timeout());
            Assert.True(query.IsAnsweredBy(answer.Span));
        }

        Assert.Equal(1, pool.Opened);
        Assert.Single(upstream.Received.Select(r => r.From.Port).Distinct());
        Assert.Equal(queries.Select(q => q.Id), upstream.Received.Select(r => r.Id));
    }

    [Fact]
    public async Task ASocketPastItsWindow_IsNotReused_TheNextQueryGoesFromAnotherPort()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var time = new FakeTimeProvider();
        using var pool = new UdpSocketPool(upstream.EndPoint, time);

        await pool.ExchangeAsync(Query("www.test."), Timeout());
        time.Advance(UdpSocketPool.ReuseWindow);
        await pool.ExchangeAsync(Query("www.test."), Timeout());

        Assert.Equal(2, pool.Opened);
        Assert.Equal(2, upstream.Received.Select(r => r.From.Port).Distinct().Count());
    }

    [Fact]
    public async Task AQueryLeftUnanswered_ClosesItsSocket_ItsLateAnswerCannotReachTheNext()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());
        upstream.Behavior = FakeBehavior.Drop;

        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.ExchangeAsync(Query("www.test."), soon.Token));
        }

        upstream.Behavior = FakeBehavior.Answer;
        await pool.ExchangeAsync(Query("www.test."), Timeout());

        Assert.Equal(2, pool.Opened);
        Assert.Equal(2, upstream.Received.Select(r => r.From.Port).Distinct().Count());
    }

    [Fact]
    public async Task ADuplicateAnswerLeftOnAReusedSocket_IsIgnoredByTheNextQuery()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = AnswerEachQueryTwiceAsync(server);
        using var pool = new UdpSocketPool((IPEndPoint)server.LocalEndPoint!, new FakeTimeProvider());

        var first = Query("www.test.");
        await pool.ExchangeAsync(first, Timeout());
        await Task.Delay(50); // the duplicate of the first answer is now waiting on the socket
        var second = Query("www.test.");
        var answer = await pool.ExchangeAsync(second, Timeout());

        Assert.Equal(1, pool.Opened);
        Assert.True(DnsHeader.TryRead(answer.Span, out var header));
        Assert.Equal(second.Id, header.Id);
        Assert.NotEqual(first.Id, second.Id);
    }

    private static async Task AnswerEachQueryTwiceAsync(Socket server)
    {
        var buffer = new byte[512];
        var from = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (true)
            {
                var received = await server.ReceiveFromAsync(buffer, from);
                var reply = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
                reply[2] |= 0x80; // QR: the query echoed back is an answer to it, same ID and question
                await server.SendToAsync(reply, received.RemoteEndPoint);
                await server.SendToAsync(reply, received.RemoteEndPoint);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the test is over
        }
    }

    private static UpstreamQuery Query(string name) =>
        UpstreamQuery.Create(DnsName.Parse(name).Wire, DnsRecordType.A, DnsClass.IN, dnssecOk: false, checkingDisabled: false, randomizeCase: true);

    private static CancellationToken Timeout() => new CancellationTokenSource(TestTimeout).Token;
}
