using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;

namespace Resolver.Core.Listeners;

/// <summary>
/// Binds UDP and TCP on every configured endpoint at start (failing start-up with a message that
/// names the endpoint and the fix) and runs the listeners until the host stops. At stop it takes no new
/// query, answers those in flight within Dns:ShutdownGrace, then closes.
/// </summary>
public sealed partial class DnsListenerService : IHostedService, IDisposable
{
    private readonly QueryProcessor _processor;
    private readonly AccessControl _access;
    private readonly DnsServerOptions _options;
    private readonly ResolverMetrics _metrics;
    private readonly ILogger<DnsListenerService> _logger;
    private readonly PendingQueries _pending;
    private readonly TcpSlots _tcpSlots;
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _udpLoops = [];
    private readonly List<Task> _tcpLoops = [];
    private readonly List<IPEndPoint> _bound = [];
    private readonly CancellationTokenSource _accepting = new(); // cancelled at stop: no new queries
    private readonly CancellationTokenSource _stopping = new(); // cancelled once the queries in flight are answered, or the grace ran out

    private static readonly TimeSpan DrainCheck = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LoopExit = TimeSpan.FromSeconds(1); // past a polled loop's wait (UdpListener.StopCheck)

    // Linux values of SOL_SOCKET and SO_REUSEPORT (asm-generic/socket.h).
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public DnsListenerService(QueryProcessor processor, AccessControl access, IOptions<DnsServerOptions> options, ResolverMetrics metrics, ILogger<DnsListenerService> logger)
    {
        _processor = processor;
        _access = access;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _pending = new PendingQueries(_options.MaxPendingQueries);
        _tcpSlots = new TcpSlots(_options.MaxTcpConnections, _options.MaxTcpConnectionsPerClient);
    }

    /// <summary>The endpoints actually bound (with real ports when the configuration said 0).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndPoints => _bound;

    public bool IsListening { get; private set; }

    /// <summary>The threads receiving UDP, over every endpoint.</summary>
    public int UdpReceiveThreads { get; private set; }

    /// <summary>Queries waiting on an upstream, over every listener.</summary>
    public int PendingQueries => _pending.Count;

    /// <summary>Open TCP connections, over every endpoint.</summary>
    public int TcpConnections => _tcpSlots.Open;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var text in _options.Listen)
        {
            if (!ListenEndPoints.TryParse(text, out var endPoint))
            {
                throw new InvalidOperationException($"Dns:Listen: '{text}' is not an address:port.");
            }

            var (udp, tcp) = Bind(endPoint);
            var bound = (IPEndPoint)udp[0].LocalEndPoint!;
            _bound.Add(bound);

            // One socket per receive thread where the kernel spreads datagrams over them (SO_REUSEPORT), else one
            // socket read by every thread. Each socket has its own listener; all share one pending-upstream cap.
            var threadsPerSocket = udp.Count == 1 ? _options.UdpReceiveThreads : 1;
            foreach (var socket in udp)
            {
                var listener = new UdpListener(socket, _processor, _pending, _options, _logger, _accepting.Token);
                for (var i = 0; i < threadsPerSocket; i++)
                {
                    UdpReceiveThreads++;
                    _udpLoops.Add(Task.Factory.StartNew(
                        () => listener.Run(_stopping.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
            }

            var tcpListener = new TcpListener(tcp, _processor, _access, _pending, _tcpSlots, _options, _metrics, _logger);
            _tcpLoops.Add(Task.Run(() => tcpListener.RunAsync(_accepting.Token, _stopping.Token), CancellationToken.None));
            LogListening(_logger, bound);
        }

        IsListening = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes no new query (UDP queries are read and dropped, TCP connections stop being accepted and read), waits up to
    /// Dns:ShutdownGrace for the answers in flight to go out, then closes every socket.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IsListening = false;
        await _accepting.CancelAsync().ConfigureAwait(false);
        var drained = await DrainAsync(_options.ShutdownGrace, cancellationToken).ConfigureAwait(false);
        LogStopped(_logger, drained ? "every query in flight was answered" : $"queries still in flight after {_options.ShutdownGrace} were cut off (Dns:ShutdownGrace)");
        await _stopping.CancelAsync().ConfigureAwait(false);

        // A polled loop sees the token within its wait and sends what its last turn holds first; a loop blocked in a
        // receive call (no poll loop on this system) ends only when its socket closes.
        await Task.WhenAny(Task.WhenAll(_udpLoops), Task.Delay(LoopExit, CancellationToken.None)).ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_udpLoops.Concat(_tcpLoops)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True once no query waits on an upstream and every TCP connection has written its answers and closed.</summary>
    private async Task<bool> DrainAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var tcp = Task.WhenAll(_tcpLoops);
        var start = Stopwatch.GetTimestamp();
        while (_pending.Count > 0 || !tcp.IsCompleted)
        {
            if (Stopwatch.GetElapsedTime(start) >= grace || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(DrainCheck, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    public void Dispose()
    {
        _accepting.Dispose();
        _stopping.Dispose();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// UDP first, then TCP on the same port. On Linux, one UDP socket per core shares the port through
    /// SO_REUSEPORT and the kernel balances between them. With port 0 the kernel picks a port free for
    /// UDP, which TCP may not have free: then everything is closed and tried again with a new port.
    /// </summary>
    private (List<Socket> Udp, Socket Tcp) Bind(IPEndPoint endPoint)
    {
        const int Attempts = 20;
        for (var attempt = 1; ; attempt++)
        {
            var udp = BindUdp(endPoint);
            var port = ((IPEndPoint)udp[0].LocalEndPoint!).Port;
            var tcp = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Configure(tcp, endPoint);
            try
            {
                tcp.Bind(new IPEndPoint(endPoint.Address, port));
            }
            catch (SocketException e) when (endPoint.Port == 0 && attempt < Attempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                tcp.Dispose();
                udp.ForEach(u => u.Dispose());
                continue;
            }
            catch (SocketException e)
            {
                tcp.Dispose();
                udp.ForEach(u => u.Dispose());
                throw new ListenerBindException(new IPEndPoint(endPoint.Address, port), "TCP", e);
            }

            tcp.Listen(512);
            _sockets.AddRange(udp);
            _sockets.Add(tcp);
            return (udp, tcp);
        }
    }

    private List<Socket> BindUdp(IPEndPoint endPoint)
    {
        var count = OperatingSystem.IsLinux() ? _options.UdpReceiveThreads : 1;
        var udp = new List<Socket>(count);
        var port = endPoint.Port;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Add(socket);
                Configure(socket, endPoint);
                if (count > 1)
                {
                    socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
                }

                Bind(socket, new IPEndPoint(endPoint.Address, port), "UDP");
                port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }

            return udp;
        }
        catch
        {
            udp.ForEach(u => u.Dispose());
            throw;
        }
    }

    private static void Configure(Socket socket, IPEndPoint endPoint)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = endPoint.Address.Equals(IPAddress.IPv6Any);
        }
    }

    private static void Bind(Socket socket, IPEndPoint endPoint, string transport)
    {
        try
        {
            socket.Bind(endPoint);
        }
        catch (SocketException e)
        {
            throw new ListenerBindException(endPoint, transport, e);
        }
    }

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "DNS listeners stopped: {Outcome}")]
    private static partial void LogStopped(ILogger logger, string outcome);

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Listening for DNS on {EndPoint} (UDP and TCP)")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);
}
