using Resolver.Core.Pipeline;

namespace Resolver.Core.Listeners;

/// <summary>The "Dns" configuration section: where to listen and how to treat clients.</summary>
public sealed class DnsServerOptions
{
    public const string SectionName = "Dns";

    /// <summary>Used when Dns:Listen is not configured (the binder appends to list defaults, so they are applied after binding).</summary>
    public static readonly IReadOnlyList<string> DefaultListen = ["127.0.0.1:53", "[::1]:53"];

    /// <summary>Used when Dns:AllowedNetworks is not configured: loopback and private ranges, no open resolver.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowedNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fe80::/10"];

    /// <summary>UDP and TCP on each; port 53 because resolv.conf has no port field. Port 0 picks a free one (tests).</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>EDNS UDP size advertised and the most sent over UDP, whatever a client offers (DNS flag day 2020).</summary>
    public int MaxUdpResponseSize { get; set; } = 1232;

    /// <summary>
    /// A TCP connection that reads no query and writes no answer for this long is closed when nothing is in flight or
    /// its peer is not reading the answers (RFC 7766 §6.2.3); a query, once begun, must arrive whole within it.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A TCP connection is closed when one answer cannot be written within this long (the peer stopped reading).</summary>
    public TimeSpan TcpWriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cap on open TCP connections over every endpoint; more are closed at once. Unlimited connections are a resource-exhaustion risk.</summary>
    public int MaxTcpConnections { get; set; } = 1000;

    /// <summary>Cap on open TCP connections from one client (a /32 of IPv4, a /64 of IPv6), so one client cannot take every slot.</summary>
    public int MaxTcpConnectionsPerClient { get; set; } = 16;

    /// <summary>Queries one TCP connection may have in flight at once (RFC 7766 pipelining).</summary>
    public int MaxTcpQueriesPerConnection { get; set; } = 32;

    /// <summary>
    /// Queries waiting on an upstream, UDP and TCP together; past it, questions that need an upstream are dropped
    /// (cache hits are still answered). Each pending query holds its buffers, so this bounds memory.
    /// </summary>
    public int MaxPendingQueries { get; set; } = 10_000;

    /// <summary>
    /// Threads receiving UDP on each endpoint, each on its own socket where the kernel can spread datagrams over
    /// them (SO_REUSEPORT, Linux). 0, the default: one per CPU the process may run on at start (its affinity and
    /// CPU limit), so a resolver pinned to one core does not run threads that only take turns.
    /// </summary>
    public int UdpThreads { get; set; }

    /// <summary>The receive threads per endpoint that <see cref="UdpThreads"/> asks for.</summary>
    public int UdpReceiveThreads => UdpThreads > 0 ? UdpThreads : Math.Max(1, Environment.ProcessorCount);

    /// <summary>At stop, how long the answers to queries in flight may take before the sockets close (no new query is taken meanwhile).</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Client networks allowed to query; others get REFUSED. No open resolver by default.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>UDP responses per second per client network, with slip (see <see cref="RateLimitOptions"/>).</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Static answers (hosts-style), served before the cache.</summary>
    public List<LocalRecordOptions> LocalRecords { get; set; } = [];

    /// <summary>Log every query at Information level; off by default (it is per-query work).</summary>
    public bool LogQueries { get; set; }

    /// <summary>Fills in the list defaults the configuration left empty.</summary>
    public void ApplyDefaults()
    {
        if (Listen.Count == 0)
        {
            Listen.AddRange(DefaultListen);
        }

        if (AllowedNetworks.Count == 0)
        {
            AllowedNetworks.AddRange(DefaultAllowedNetworks);
        }
    }
}
