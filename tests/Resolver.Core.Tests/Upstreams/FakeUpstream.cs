using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Messages;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>
/// An in-process upstream DNS server on 127.0.0.1 for integration tests of the upstream layer:
/// UDP and TCP (RFC 7766 framing) on the same ephemeral port, a small zone of answers, and
/// switchable misbehaviour (<see cref="Behavior"/>, <see cref="Delay"/>, <see cref="Responder"/>).
/// Every setting may be changed at any time from any thread; each query reads them when it arrives.
/// </summary>
internal sealed partial class FakeUpstream : IAsyncDisposable
{
    private const int BindAttempts = 10;

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly ConcurrentQueue<DnsQuestion> _receivedQuestions = new();
    private readonly ConcurrentQueue<(IPEndPoint From, ushort Id)> _received = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    private int _behavior;
    private long _delayTicks;
    private Func<DnsMessage, DnsMessage?>? _responder;
    private int _udpQueries;
    private int _tcpQueries;
    private int _tcpConnections;
    private int _disposed;

    private FakeUpstream(Socket udp, Socket tcp)
    {
        _udp = udp;
        _tcp = tcp;
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
        var token = _stopping.Token;
        _udpLoop = Task.Run(() => RunUdpAsync(token), CancellationToken.None);
        _tcpLoop = Task.Run(() => RunTcpAsync(token), CancellationToken.None);
    }

    /// <summary>127.0.0.1 and the port that both UDP and TCP listen on.</summary>
    public IPEndPoint EndPoint { get; }

    public FakeBehavior Behavior
    {
        get => (FakeBehavior)Volatile.Read(ref _behavior);
        set => Volatile.Write(ref _behavior, (int)value);
    }

    /// <summary>Waited before each reply; replies are independent, so a delayed one blocks no other query.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>
    /// When set, produces the response to every parsed query in place of the zone and <see cref="Behavior"/>
    /// (null = drop). <see cref="Delay"/> and the UDP size limit still apply.
    /// </summary>
    public Func<DnsMessage, DnsMessage?>? Responder
    {
        get => Volatile.Read(ref _responder);
        set => Volatile.Write(ref _responder, value);
    }

    /// <summary>TCP connections accepted so far.</summary>
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    /// <summary>Closes each TCP connection after its first answer, as a server with a short idle timeout may.</summary>
    public bool ClosesAfterAnswer { get; set; }

    /// <summary>Extra delay before answering a name (its presentation form, e.g. "slow.test."), on top of <see cref="Delay"/>.</summary>
    public ConcurrentDictionary<string, TimeSpan> NameDelays { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Sends UDP answers whole, however large, as a server that ignores the query's EDNS size would.</summary>
    public bool IgnoresUdpSize { get; set; }

    /// <summary>Messages received over UDP, parseable or not.</summary>
    public int UdpQueries => Volatile.Read(ref _udpQueries);

    /// <summary>Messages received over TCP, parseable or not.</summary>
    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    public int TotalQueries => UdpQueries + TcpQueries;

    /// <summary>A snapshot of the questions of every parsed query, in arrival order (exact case).</summary>
    public IReadOnlyList<DnsQuestion> ReceivedQuestions => [.. _receivedQuestions];

    /// <summary>A snapshot of the source endpoint and ID of every message of at least two bytes.</summary>
    public IReadOnlyList<(IPEndPoint From, ushort Id)> Received => [.. _received];

    /// <summary>Binds UDP on 127.0.0.1:<paramref name="port"/> (0: any), then TCP on the same port (retrying on a clash), and starts serving.</summary>
    public static Task<FakeUpstream> StartAsync(int port = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(64);
                return Task.FromResult(new FakeUpstream(udp, tcp));
            }
            catch (SocketException) when (attempt < BindAttempts && port == 0)
            {
                tcp.Dispose();
                udp.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        try
        {
            await Task.WhenAll(_udpLoop, _tcpLoop).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The loops never throw; a loop stuck past this would only leak a test thread.
        }

        _stopping.Dispose();
    }
}
