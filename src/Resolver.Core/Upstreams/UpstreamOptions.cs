namespace Resolver.Core.Upstreams;

/// <summary>The "Upstreams" configuration section.</summary>
public sealed class UpstreamOptions
{
    public const string SectionName = "Upstreams";

    public UpstreamPolicy Policy { get; set; } = UpstreamPolicy.Fastest;

    /// <summary>The default upstreams; two independent providers, the lesson of both outages.</summary>
    public List<UpstreamServerOptions> Servers { get; set; } = [];

    /// <summary>Per-domain forwarders, e.g. corp.internal. to its own servers; the longest matching domain wins.</summary>
    public List<ForwarderOptions> Forwarders { get; set; } = [];

    /// <summary>
    /// The longest a try waits before the next one is sent: each server's retransmit timeout comes from its
    /// smoothed RTT and variance (RFC 6298), at least 50 ms and at most this. A try that goes unanswered
    /// keeps listening until <see cref="QueryDeadline"/>, so a late answer still counts.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long one client question may take upstream, all tries included; then it fails (or is served stale).</summary>
    public TimeSpan QueryDeadline { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Tries per client question, across upstreams: a cap on what one question may send (as Unbound's MAX_SENT_COUNT, 32). With every
    /// upstream losing most answers, retries are what still gets one through; the question deadline bounds the time.
    /// </summary>
    public int MaxAttempts { get; set; } = 32;

    /// <summary>When on, a slow try is joined by one to the next upstream after <see cref="HedgeDelay"/>; the first good answer wins.</summary>
    public bool Hedging { get; set; }

    public TimeSpan HedgeDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Failures in a row, each for a different name, that mark an upstream down: one broken zone behind a
    /// healthy upstream (SERVFAIL or silence for that name alone) never does.
    /// </summary>
    public int FailuresBeforeDown { get; set; } = 3;

    /// <summary>First back-off of a down upstream; doubles after each failed probe, up to <see cref="MaxDownBackoff"/>.</summary>
    public TimeSpan DownBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDownBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Share of queries the Fastest policy sends first to another healthy upstream within the RTT band (400 ms of the best), to keep RTTs current.</summary>
    public double Exploration { get; set; } = 0.05;

    /// <summary>Cap on upstream queries in flight at once; past it, questions fail fast instead of queueing.</summary>
    public int MaxOutstanding { get; set; } = 2048;

    /// <summary>Randomize the case of query names (draft-vixie-dnsext-dns0x20) and require it echoed.</summary>
    public bool CaseRandomization { get; set; }

    /// <summary>
    /// Before a negative answer (NXDOMAIN or NODATA) replaces a positive one the cache holds for the question,
    /// fresh or expired, another upstream of the pool is asked. If it has the answer, the positive one stays and
    /// the upstream that said otherwise goes after the others for <see cref="DisagreementDemotion"/>: one
    /// provider's blip does not become a cached outage. Names with no positive answer cached cost nothing more.
    /// </summary>
    public bool SecondOpinion { get; set; } = true;

    /// <summary>How long an upstream whose negative answer another contradicted is asked after the others that are up.</summary>
    public TimeSpan DisagreementDemotion { get; set; } = TimeSpan.FromMinutes(10);
}

public enum UpstreamPolicy
{
    /// <summary>Lowest retransmit timeout (smoothed RTT and variance, backed off by unanswered tries) first, with occasional exploration.</summary>
    Fastest,

    /// <summary>In configuration order.</summary>
    Sequential,

    /// <summary>Each question starts at the next upstream.</summary>
    RoundRobin,
}

public enum UpstreamTransport
{
    /// <summary>UDP, retried over TCP when the answer is truncated.</summary>
    Udp,
    Tcp,

    /// <summary>DNS over TLS (RFC 7858), server name checked against the certificate.</summary>
    Tls,
}

public sealed class UpstreamServerOptions
{
    /// <summary>"9.9.9.9:53", "[2620:fe::fe]:53"; the port defaults to 53 (853 for TLS).</summary>
    public string Address { get; set; } = string.Empty;

    public UpstreamTransport Transport { get; set; } = UpstreamTransport.Udp;

    /// <summary>The name the TLS certificate must carry; required for Tls.</summary>
    public string? TlsName { get; set; }

    /// <summary>What logs, metrics and the admin API call it (drain takes it); default "address:port/transport". Unique.</summary>
    public string? Name { get; set; }
}

public sealed class ForwarderOptions
{
    public string Domain { get; set; } = string.Empty;

    public UpstreamPolicy? Policy { get; set; }

    public List<UpstreamServerOptions> Servers { get; set; } = [];
}
