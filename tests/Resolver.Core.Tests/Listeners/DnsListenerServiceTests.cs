using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
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
        _service = new DnsListenerService(_harness.Processor, Access(_options), new TestOptions<DnsServerOptions>(_options), NullLogger<DnsListenerService>.Instance);
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
        var service = new DnsListenerService(harness.Processor, Access(options), new TestOptions<DnsServerOptions>(options), NullLogger<DnsListenerService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            using var allowed = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
            using var other = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            var codes = new List<DnsResponseCode>();
            foreach (var client in new[] { allowed, other, allowed, other })
            {
                await client.SendAsync(ResolverHarness.Query("localhost.", DnsRecordType.A), service.BoundEndPoints[0]);
                var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
                codes.Add(DnsMessage.Parse(reply.Buffer).ResponseCode);
            }

            Assert.Equal([DnsResponseCode.NoError, DnsResponseCode.Refused, DnsResponseCode.NoError, DnsResponseCode.Refused], codes);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
    }

    [Fact]
    public async Task Tcp_ClientOutsideAllowedNetworks_IsClosedAtAccept()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], AllowedNetworks = ["127.0.0.1/32"] };
        var service = new DnsListenerService(_harness.Processor, Access(options), new TestOptions<DnsServerOptions>(options), NullLogger<DnsListenerService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            using var refused = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await refused.ConnectAsync(service.BoundEndPoints[0]);

            var read = await refused.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

            Assert.Equal(0, read);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
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
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], MaxPendingUdpQueries = 1 };
        var service = new DnsListenerService(_harness.Processor, Access(options), new TestOptions<DnsServerOptions>(options), NullLogger<DnsListenerService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await _harness.AskAsync("www.test."); // cached
            _harness.Upstreams[0].Delay = TimeSpan.FromSeconds(2);

            // One client socket: the kernel sends one sender's datagrams to the same listening socket
            // (SO_REUSEPORT hashes the addresses), and the cap is per listening socket.
            using var client = new UdpClient(AddressFamily.InterNetwork);
            await client.SendAsync(ResolverHarness.Query("slow1.test.", DnsRecordType.A, id: 1), service.BoundEndPoints[0]);
            await Task.Delay(200);
            await client.SendAsync(ResolverHarness.Query("slow2.test.", DnsRecordType.A, id: 2), service.BoundEndPoints[0]);
            await client.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A, id: 3), service.BoundEndPoints[0]);

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
        finally
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
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
        await WriteFrameAsync(stream, ResolverHarness.Query("slow.test.", DnsRecordType.A, id: 1)); // goes upstream, slow
        await WriteFrameAsync(stream, ResolverHarness.Query("www.test.", DnsRecordType.A, id: 2)); // cache hit, fast

        var first = DnsMessage.Parse(await ReadFrameAsync(stream));
        var second = DnsMessage.Parse(await ReadFrameAsync(stream));

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
        var clash = new DnsListenerService(_harness.Processor, Access(clashOptions), new TestOptions<DnsServerOptions>(clashOptions), NullLogger<DnsListenerService>.Instance);

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => clash.StartAsync(CancellationToken.None));

        Assert.Contains(taken, error.Message, StringComparison.Ordinal);
        Assert.Contains("Dns:Listen", error.Message, StringComparison.Ordinal);
        clash.Dispose();
    }

    [Fact]
    public async Task UdpThreads_SetsTheReceiveThreads_AndEveryOneAnswers()
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], UdpThreads = 3 };
        var service = new DnsListenerService(_harness.Processor, Access(options), new TestOptions<DnsServerOptions>(options), NullLogger<DnsListenerService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            // Twenty clients, twenty source ports: the kernel spreads them over the three sockets.
            var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            {
                using var udp = new UdpClient(AddressFamily.InterNetwork);
                await udp.SendAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), service.BoundEndPoints[0]);
                return (await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer;
            }));

            Assert.Equal(3, service.UdpReceiveThreads);
            Assert.All(replies, r => Assert.Equal("192.0.2.10", Assert.Single(DnsMessage.Parse(r).Answers).Data.ToString()));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }
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

    private static AccessControl Access(DnsServerOptions options)
    {
        options.ApplyDefaults();
        return new AccessControl(options.AllowedNetworks);
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte[] message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        await stream.WriteAsync(frame);
    }

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream)
    {
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return message;
    }
}
