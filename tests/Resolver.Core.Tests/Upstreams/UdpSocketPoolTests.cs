using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Polling;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>
/// Sockets to one UDP upstream reused within a short window, one query at a time, each query with its own ID: read
/// through .NET's socket engine, and (Linux) read by the <see cref="PollLoop"/> of the thread that asked.
/// </summary>
public sealed class UdpSocketPoolTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    private readonly LoopThread? _loop = PollLoop.IsSupported ? new LoopThread() : null;

    public static TheoryData<bool> Readers => PollLoop.IsSupported ? new() { false, true } : new() { false };

    public void Dispose() => _loop?.Dispose();

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task AnsweredQueries_ReuseOneSocket_EachWithItsOwnId(bool onLoop)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());

        var queries = Enumerable.Range(0, 5).Select(_ => Query("www.test.")).ToList();
        foreach (var query in queries)
        {
            var answer = await ExchangeAsync(pool, query, onLoop, Timeout());
            Assert.True(query.IsAnsweredBy(answer.Span));
        }

        Assert.Equal(1, pool.Opened);
        Assert.Single(upstream.Received.Select(r => r.From.Port).Distinct());
        Assert.Equal(queries.Select(q => q.Id), upstream.Received.Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ASocketPastItsWindow_IsNotReused_TheNextQueryGoesFromAnotherPort(bool onLoop)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var time = new FakeTimeProvider();
        using var pool = new UdpSocketPool(upstream.EndPoint, time);

        await ExchangeAsync(pool, Query("www.test."), onLoop, Timeout());
        time.Advance(UdpSocketPool.ReuseWindow);
        await ExchangeAsync(pool, Query("www.test."), onLoop, Timeout());

        Assert.Equal(2, pool.Opened);
        Assert.Equal(2, upstream.Received.Select(r => r.From.Port).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task AQueryLeftUnanswered_ClosesItsSocket_ItsLateAnswerCannotReachTheNext(bool onLoop)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        using var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());
        upstream.Behavior = FakeBehavior.Drop;

        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExchangeAsync(pool, Query("www.test."), onLoop, soon.Token));
        }

        upstream.Behavior = FakeBehavior.Answer;
        await ExchangeAsync(pool, Query("www.test."), onLoop, Timeout());

        Assert.Equal(2, pool.Opened);
        Assert.Equal(2, upstream.Received.Select(r => r.From.Port).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ADuplicateAnswerLeftOnAReusedSocket_IsIgnoredByTheNextQuery(bool onLoop)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = AnswerEachQueryTwiceAsync(server);
        using var pool = new UdpSocketPool((IPEndPoint)server.LocalEndPoint!, new FakeTimeProvider());

        var first = Query("www.test.");
        await ExchangeAsync(pool, first, onLoop, Timeout());
        await Task.Delay(50); // the duplicate of the first answer is now waiting on the socket (or was dropped by the loop)
        var second = Query("www.test.");
        var answer = await ExchangeAsync(pool, second, onLoop, Timeout());

        Assert.Equal(1, pool.Opened);
        Assert.True(DnsHeader.TryRead(answer.Span, out var header));
        Assert.Equal(second.Id, header.Id);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task OnALoop_TheAnswerIsReadByTheLoopThatAsked_AndARefusedPortFailsTheExchange()
    {
        if (_loop is null)
        {
            return; // no poll loop off Linux
        }

        await using var upstream = await FakeUpstream.StartAsync();
        using var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedEndPoint = (IPEndPoint)closed.LocalEndPoint!;
        closed.Dispose(); // nothing listens there: the kernel answers ICMP port unreachable
        using var refusing = new UdpSocketPool(closedEndPoint, new FakeTimeProvider());

        var (_, endedOn) = await _loop.RunAsync(() => pool.ExchangeAsync(Query("www.test."), Timeout()));
        var refused = await Assert.ThrowsAsync<SocketException>(() => _loop.RunAsync(() => refusing.ExchangeAsync(Query("www.test."), Timeout())));

        Assert.Same(_loop.Loop, endedOn); // the continuation ran on the loop's thread: the loop read the answer
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task OnALoop_TheQueryLeavesAtTheEndOfTheTurn_AndItsAnswerIsReadByTheNext()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var pool = new UdpSocketPool((IPEndPoint)server.LocalEndPoint!, new FakeTimeProvider());
        using var loop = new PollLoop(); // this thread's, for the test's length: the one await below has finished

        var exchange = pool.ExchangeAsync(Query("www.test."), Timeout());
        var beforeTheEnd = server.Available; // loopback delivers within the send call: a sent query would be here
        loop.FinishTurn();
        var query = new byte[512];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = server.ReceiveFrom(query, ref from);
        query[2] |= 0x80; // QR: the query echoed back answers it
        server.SendTo(query.AsSpan(0, length), from);
        loop.RunOnce(TestTimeout);

        Assert.Equal(0, beforeTheEnd);
        Assert.True(exchange.IsCompletedSuccessfully); // read, and the exchange finished, on this thread in that turn
        Assert.Equal(query.AsSpan(0, length).ToArray(), (await exchange).ToArray());
    }

    [Fact]
    public async Task Disposing_ClosesTheIdleSocketsALoopHolds()
    {
        if (_loop is null)
        {
            return; // no poll loop off Linux
        }

        await using var upstream = await FakeUpstream.StartAsync();
        var pool = new UdpSocketPool(upstream.EndPoint, new FakeTimeProvider());
        await _loop.RunAsync(() => pool.ExchangeAsync(Query("www.test."), Timeout()));
        var port = Assert.Single(upstream.Received).From.Port;

        pool.Dispose();
        await _loop.RunAsync(() => Task.FromResult(0)); // a turn of the loop: the closing posted to it has run

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Any, port)); // free again: the socket was closed
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeAsync(UdpSocketPool pool, UpstreamQuery query, bool onLoop, CancellationToken cancellationToken) =>
        onLoop ? (await _loop!.RunAsync(() => pool.ExchangeAsync(query, cancellationToken))).Result : await pool.ExchangeAsync(query, cancellationToken);

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
