using System.Net;
using System.Net.Sockets;
using Resolver.Core.Listeners;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Listeners;

/// <summary>TCP clients that misbehave (never read, trickle, open too many connections) lose their connections; others are served.</summary>
public sealed class TcpConnectionTests : IAsyncLifetime
{
    private ResolverHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ResolverHarness.StartAsync(count: 1);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task PerClientCap_TurnsAwayTheClientsNextConnection_NotOtherClients()
    {
        await using var listening = await Listening.StartAsync(_harness, new DnsServerOptions { Listen = ["127.0.0.1:0"], MaxTcpConnectionsPerClient = 2 });
        var greedy = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                greedy.Add(await ConnectAsync(listening, "127.0.0.2"));
            }

            await WaitUntilAsync(() => listening.Service.TcpConnections == 2);
            using var third = await ConnectAsync(listening, "127.0.0.2");
            using var other = await ConnectAsync(listening, "127.0.0.3");
            await Listening.WriteFrameAsync(other.GetStream(), ResolverHarness.Query("www.test.", DnsRecordType.A));

            Assert.Equal(0, await Listening.ReadToEndAsync(third.GetStream(), TimeSpan.FromSeconds(5)));
            Assert.Equal("192.0.2.10", Assert.Single(DnsMessage.Parse(await Listening.ReadFrameAsync(other.GetStream())).Answers).Data.ToString());
        }
        finally
        {
            greedy.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task PeerThatNeverReads_IsClosedByTheWriteTimeout_WhileAnotherClientIsServed()
    {
        await _harness.AskAsync("big.test.", DnsRecordType.TXT); // a 1.2 KB answer, cached
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], TcpWriteTimeout = TimeSpan.FromSeconds(1), TcpIdleTimeout = TimeSpan.FromSeconds(30) };
        await using var listening = await Listening.StartAsync(_harness, options);
        var (greedy, flood) = await FloodWithoutReadingAsync(listening);

        await WaitUntilAsync(() => listening.Service.TcpConnections == 1);
        using var normal = await ConnectAsync(listening, "127.0.0.3");
        await Listening.WriteFrameAsync(normal.GetStream(), ResolverHarness.Query("www.test.", DnsRecordType.A));
        var answer = DnsMessage.Parse(await Listening.ReadFrameAsync(normal.GetStream()));
        normal.Close();

        await WaitUntilAsync(() => listening.Service.TcpConnections == 0, TimeSpan.FromSeconds(20));
        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
        await flood.WaitAsync(TimeSpan.FromSeconds(20));
        greedy.Dispose();
    }

    [Fact]
    public async Task Slowloris_OneByteAtATime_IsClosedBeforeTheQueryIsWhole()
    {
        await using var listening = await Listening.StartAsync(_harness, new DnsServerOptions { Listen = ["127.0.0.1:0"], TcpIdleTimeout = TimeSpan.FromSeconds(1) });
        using var slow = await ConnectAsync(listening, "127.0.0.2");
        var stream = slow.GetStream();
        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);
        var frame = new byte[2 + query.Length];
        frame[1] = (byte)query.Length;
        query.CopyTo(frame, 2);

        var sent = 0;
        try
        {
            // Every byte well inside the idle timeout, the whole frame far outside it.
            for (; sent < frame.Length; sent++)
            {
                await stream.WriteAsync(frame.AsMemory(sent, 1));
                await Task.Delay(200);
            }
        }
        catch (IOException)
        {
            // closed mid-frame, as it should be
        }

        Assert.True(sent < frame.Length, $"all {frame.Length} bytes were taken");
        Assert.Equal(0, await Listening.ReadToEndAsync(stream, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AnswersUnread_PastTheIdleTimeout_CloseTheConnection_EvenWithQueriesInFlight()
    {
        await _harness.AskAsync("big.test.", DnsRecordType.TXT);
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], TcpWriteTimeout = TimeSpan.FromSeconds(30), TcpIdleTimeout = TimeSpan.FromSeconds(1) };
        await using var listening = await Listening.StartAsync(_harness, options);
        var (greedy, flood) = await FloodWithoutReadingAsync(listening);

        // The write timeout is far off: it is the idle check that sees answers waiting on a peer that does not read.
        await WaitUntilAsync(() => listening.Service.TcpConnections == 1);
        await WaitUntilAsync(() => listening.Service.TcpConnections == 0, TimeSpan.FromSeconds(15));
        await flood.WaitAsync(TimeSpan.FromSeconds(15));
        greedy.Dispose();
    }

    [Fact]
    public async Task PendingCap_IsSharedByUdpAndTcp()
    {
        await _harness.AskAsync("www.test."); // cached
        _harness.Upstreams[0].Delay = TimeSpan.FromSeconds(2);
        await using var listening = await Listening.StartAsync(_harness, new DnsServerOptions { Listen = ["127.0.0.1:0"], MaxPendingQueries = 1 });
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(ResolverHarness.Query("slow1.test.", DnsRecordType.A, id: 1), listening.EndPoint);
        await WaitUntilAsync(() => listening.Service.PendingQueries == 1);

        using var tcp = await ConnectAsync(listening, "127.0.0.1");
        await Listening.WriteFrameAsync(tcp.GetStream(), ResolverHarness.Query("slow2.test.", DnsRecordType.A, id: 2)); // dropped: no room
        await Listening.WriteFrameAsync(tcp.GetStream(), ResolverHarness.Query("www.test.", DnsRecordType.A, id: 3));

        var first = DnsMessage.Parse(await Listening.ReadFrameAsync(tcp.GetStream()));
        var udpAnswer = DnsMessage.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer);

        Assert.Equal(3, first.Id);
        Assert.Equal(1, udpAnswer.Id);
        Assert.Equal(0, listening.Service.PendingQueries);
        var more = new byte[2];
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await tcp.GetStream().ReadExactlyAsync(more, quiet.Token)); // slow2 never answered
    }

    /// <summary>
    /// A client on 127.0.0.2 that pipelines queries for a 1.2 KB answer and never reads: the answers fill both kernel
    /// buffers, then the resolver stops reading. The flood ends when the resolver closes the connection.
    /// </summary>
    private static async Task<(TcpClient Client, Task Flood)> FloodWithoutReadingAsync(Listening listening)
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0)) { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(listening.EndPoint);
        var query = ResolverHarness.Query("big.test.", DnsRecordType.TXT);
        var flood = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 50_000; i++)
                {
                    await Listening.WriteFrameAsync(client.GetStream(), query);
                }
            }
            catch (IOException)
            {
                // closed by the resolver
            }
        });
        return (client, flood);
    }

    private static async Task<TcpClient> ConnectAsync(Listening listening, string from)
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        await client.ConnectAsync(listening.EndPoint);
        return client;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
