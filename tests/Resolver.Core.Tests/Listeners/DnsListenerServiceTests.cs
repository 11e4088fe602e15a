using System.Net;
using System.Net.Sockets;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Listeners;

/// <summary>The listeners over real loopback sockets, in front of the real pipeline and fake upstreams.</summary>
public sealed class DnsListenerServiceTests : IAsyncLifetime
{
    private ResolverHarness _harness = null!;
    private DnsListenerService _service = null!;
    private DnsServerOptions _options = null!;

    private IPEndPoint EndPoint => _service.BoundEndPoints[0];

    public async Task InitializeAsync()
    {
        _harness = await ResolverHarness.StartAsync(upstreams: o => o.Timeout = TimeSpan.FromSeconds(5));
        _harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(100);
        _options = new DnsServerOptions { Listen = ["127.0.0.1:0"], TcpIdleTimeout = TimeSpan.FromSeconds(1.5), MaxTcpConnections = 4 };
        _service = Listening.Create(_harness, _options);
        await _service.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        await _harness.DisposeAsync();
    }

    [Fact]
    public async Task Udp_AnswersOnTheBoundPort()
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), EndPoint);

        var reply = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("192.0.2.10", Assert.Single(DnsMessage.Parse(reply.Buffer).Answers).Data.ToString());
        Assert.True(_service.IsListening);
    }

    [Fact]
    public async Task Udp_AccessControl_IsDecidedPerClientAddress()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], AllowedNetworks = ["127.0.0.1/32"] };
        await using var harness = await ResolverHarness.StartAsync(count: 1, server: o => o.AllowedNetworks = ["127.0.0.1/32"]);
        await using var listening = await Listening.StartAsync(harness, options);
        using var allowed = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
        using var other = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var codes = new List<DnsResponseCode>();
        foreach (var client in new[] { allowed, other, allowed, other })
        {
            await client.SendAsync(ResolverHarness.Query("localhost.", DnsRecordType.A), listening.EndPoint);
            var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
            codes.Add(DnsMessage.Parse(reply.Buffer).ResponseCode);
        }

        Assert.Equal([DnsResponseCode.NoError, DnsResponseCode.Refused, DnsResponseCode.NoError, DnsResponseCode.Refused], codes);
    }

    [Fact]
    public async Task Tcp_ClientOutsideAllowedNetworks_IsClosedAtAccept()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], AllowedNetworks = ["127.0.0.1/32"] };
        await using var listening = await Listening.StartAsync(_harness, options);
        using var refused = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await refused.ConnectAsync(listening.EndPoint);

        var read = await refused.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Tcp_FrameStalledHalfway_ClosesTheConnection()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(new byte[] { 0 }); // half a length prefix, then nothing

        var read = await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Udp_PastThePendingCap_MissesAreDropped_ButCacheHitsAnswered()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], MaxPendingQueries = 1 };
        await using var listening = await Listening.StartAsync(_harness, options);
        await _harness.AskAsync("www.test."); // cached
        _harness.Upstreams[0].Delay = TimeSpan.FromSeconds(2);

        // The cap is shared by every listening socket, so which one the kernel hands each datagram to does not matter.
        using var client = new UdpClient(AddressFamily.InterNetwork);
        await client.SendAsync(ResolverHarness.Query("slow1.test.", DnsRecordType.A, id: 1), listening.EndPoint);
        await Task.Delay(200);
        await client.SendAsync(ResolverHarness.Query("slow2.test.", DnsRecordType.A, id: 2), listening.EndPoint);
        await client.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A, id: 3), listening.EndPoint);

        var ids = new List<ushort>();
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        while (ids.Count < 3)
        {
            try
            {
                ids.Add(DnsMessage.Parse((await client.ReceiveAsync(window.Token)).Buffer).Id);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Assert.Equal([3, 1], ids); // the hit at once, the first miss when its upstream answered, the second miss never
    }

    [Fact]
    public async Task Udp_ManyMissesAtOnce_EachAnswerGoesToItsOwnClient()
    {
        _harness.Upstreams[0].Delay = TimeSpan.Zero;
        var clients = Enumerable.Range(0, 40).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToList();
        try
        {
            // Misses (names the fake does not have) whose answers come back on the receive thread in batches.
            for (var i = 0; i < clients.Count; i++)
            {
                await clients[i].SendAsync(ResolverHarness.Query($"burst{i}.test.", DnsRecordType.A, id: (ushort)(1000 + i)), EndPoint);
            }

            var replies = await Task.WhenAll(clients.Select(c => c.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))));

            Assert.Equal(Enumerable.Range(0, 40).Select(i => ((ushort)(1000 + i), $"burst{i}.test.")), replies.Select(r => DnsMessage.Parse(r.Buffer)).Select(m => (m.Id, m.Questions[0].Name.ToString())));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Tcp_PipelinedQueries_AreAllAnswered_InAnyOrder()
    {
        await _harness.AskAsync("www.test."); // warm the cache
        _harness.Upstreams[0].Delay = TimeSpan.FromSeconds(1);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint);
        var stream = tcp.GetStream();
        await Listening.WriteFrameAsync(stream, ResolverHarness.Query("slow.test.", DnsRecordType.A, id: 1)); // goes upstream, slow
        await Listening.WriteFrameAsync(stream, ResolverHarness.Query("www.test.", DnsRecordType.A, id: 2)); // cache hit, fast

        var first = DnsMessage.Parse(await Listening.ReadFrameAsync(stream));
        var second = DnsMessage.Parse(await Listening.ReadFrameAsync(stream));

        Assert.Equal(2, first.Id); // the cache hit overtook the slow upstream question
        Assert.Equal(1, second.Id);
    }

    [Fact]
    public async Task Tcp_IdleConnection_IsClosed()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint);
        var stream = tcp.GetStream();

        var read = await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, read); // end of stream: the server hung up after the idle timeout
    }

    [Fact]
    public async Task Tcp_ConnectionsBeyondTheCap_AreClosed()
    {
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < _options.MaxTcpConnections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(EndPoint);
                clients.Add(client);
            }

            await Task.Delay(100);
            using var extra = new TcpClient();
            await extra.ConnectAsync(EndPoint);
            var read = await extra.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

            Assert.Equal(0, read);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Bind_AddressInUse_FailsWithAMessageNamingTheEndpointAndTheFix()
    {
        var taken = $"127.0.0.1:{EndPoint.Port}";
        var clashOptions = new DnsServerOptions { Listen = [taken] };
        var clash = Listening.Create(_harness, clashOptions);

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => clash.StartAsync(CancellationToken.None));

        Assert.Contains(taken, error.Message, StringComparison.Ordinal);
        Assert.Contains("Dns:Listen", error.Message, StringComparison.Ordinal);
        clash.Dispose();
    }

    [Fact]
    public async Task UdpThreads_SetsTheReceiveThreads_AndEveryOneAnswers()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], UdpThreads = 3 };
        await using var listening = await Listening.StartAsync(_harness, options);
        // Twenty clients, twenty source ports: the kernel spreads them over the three sockets.
        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), listening.EndPoint);
            return (await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer;
        }));

        Assert.Equal(3, listening.Service.UdpReceiveThreads);
        Assert.All(replies, r => Assert.Equal("192.0.2.10", Assert.Single(DnsMessage.Parse(r).Answers).Data.ToString()));
    }

    [Fact]
    public async Task Udp_GarbageEmptyAndOversizedDatagrams_InOneBatch_DoNotStopTheListener()
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var oversized = new byte[5000];
        ResolverHarness.Query("www.test.", DnsRecordType.A).CopyTo(oversized, 0);
        await udp.SendAsync(new byte[] { 0xFF, 0x00, 0x13 }, EndPoint);
        await udp.SendAsync(Array.Empty<byte>(), EndPoint);
        await udp.SendAsync(oversized, EndPoint);
        await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.AAAA), EndPoint);

        // Whatever the bad ones get (nothing, or FORMERR), the good query behind them is answered.
        DnsMessage? answer = null;
        while (answer is null)
        {
            var reply = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
            if (DnsMessage.TryParse(reply.Buffer, out var message, out _) && message.Questions.Count == 1 && message.Questions[0].Type == DnsRecordType.AAAA)
            {
                answer = message;
            }
        }

        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
    }

    [Fact]
    public void UdpThreads_Unset_IsOnePerCpuTheProcessMayRunOn()
    {
        Assert.Equal(Environment.ProcessorCount, new DnsServerOptions().UdpReceiveThreads);
        Assert.Equal(Environment.ProcessorCount, _service.UdpReceiveThreads);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1025)]
    public void UdpThreads_OutOfRange_IsRejectedNamingTheKey(int threads)
    {
        var result = new DnsServerOptionsValidator().Validate(null, new DnsServerOptions { Listen = ["127.0.0.1:0"], UdpThreads = threads });

        Assert.True(result.Failed);
        Assert.Contains("Dns:UdpThreads", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_AnswersTheQueriesInFlight_OverUdpAndTcp_AndTakesNoNewOnes()
    {
        _harness.Upstreams[0].Delay = TimeSpan.FromSeconds(1);
        var listening = await Listening.StartAsync(_harness, new DnsServerOptions { Listen = ["127.0.0.1:0"], ShutdownGrace = TimeSpan.FromSeconds(10) });
        await using (listening)
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(listening.EndPoint);
            await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A, id: 1), listening.EndPoint);
            await Listening.WriteFrameAsync(tcp.GetStream(), ResolverHarness.Query("www.test.", DnsRecordType.AAAA, id: 2));
            await WaitUntilAsync(() => listening.Service.PendingQueries == 2);

            var stopping = listening.StopAsync();
            await udp.SendAsync(ResolverHarness.Query("short.test.", DnsRecordType.A, id: 3), listening.EndPoint); // too late
            var udpAnswer = DnsMessage.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer);
            var tcpAnswer = DnsMessage.Parse(await Listening.ReadFrameAsync(tcp.GetStream()));
            await stopping.WaitAsync(TimeSpan.FromSeconds(5));

            Assert.Equal((1, "192.0.2.10"), (udpAnswer.Id, Assert.Single(udpAnswer.Answers).Data.ToString()));
            Assert.Equal((2, "2001:db8::10"), (tcpAnswer.Id, Assert.Single(tcpAnswer.Answers).Data.ToString()));
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await udp.ReceiveAsync(quiet.Token)); // the late query got nothing
        }
    }

    [Fact]
    public async Task Stop_PastTheGrace_ClosesWithoutWaitingForTheUpstream()
    {
        foreach (var upstream in _harness.Upstreams)
        {
            upstream.Delay = TimeSpan.FromSeconds(4);
        }

        await using var listening = await Listening.StartAsync(_harness, new DnsServerOptions { Listen = ["127.0.0.1:0"], ShutdownGrace = TimeSpan.FromMilliseconds(200) });
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), listening.EndPoint);
        await WaitUntilAsync(() => listening.Service.PendingQueries == 1);

        var stopping = listening.StopAsync();

        await stopping.WaitAsync(TimeSpan.FromSeconds(3)); // the upstream answers at 4 s
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await udp.ReceiveAsync(quiet.Token)); // cut off: no answer
    }

    [Fact]
    public async Task Udp_AFloodFromOneNetwork_IsRateLimited_WhileAnotherNetworkIsServed_AndCountedByAction()
    {
        using var slips = new InstrumentCount("resolver.queries.rate_limited", InstrumentCount.Tag("action", a => a == "slip"));
        using var drops = new InstrumentCount("resolver.queries.rate_limited", InstrumentCount.Tag("action", a => a == "drop"));
        await using var harness = await ResolverHarness.StartAsync(
            count: 1, server: o => o.RateLimit = new RateLimitOptions { ResponsesPerSecond = 20, Slip = 2, ExemptNetworks = ["192.0.2.0/24"] });
        await harness.AskAsync("www.test."); // cached: the flood is answered from the cache
        await using var listening = await Listening.StartAsync(harness, new DnsServerOptions { Listen = ["127.0.0.1:0"] });
        using var flood = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.5.2"), 0));
        using var other = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.6.2"), 0));

        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);
        for (var i = 0; i < 200; i++)
        {
            await flood.SendAsync(query, listening.EndPoint);
        }

        await other.SendAsync(query, listening.EndPoint);
        var otherAnswer = DnsMessage.Parse((await other.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer);
        var floodAnswers = new List<DnsMessage>();
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            while (true)
            {
                floodAnswers.Add(DnsMessage.Parse((await flood.ReceiveAsync(quiet.Token)).Buffer));
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal("192.0.2.10", Assert.Single(otherAnswer.Answers).Data.ToString());
        var full = floodAnswers.Count(m => !m.Truncated);
        var slipped = floodAnswers.Count(m => m.Truncated && m.Answers.Count == 0);
        Assert.Equal(20, full); // the harness's clock stands still: one second
        Assert.Equal(90, slipped); // every other one of the 180 limited
        Assert.Equal(floodAnswers.Count, full + slipped);
        Assert.Equal(90, slips.Value); // no other test limits a client
        Assert.Equal(90, drops.Value);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
