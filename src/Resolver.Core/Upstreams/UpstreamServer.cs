using System.Globalization;
using System.Net;
using Resolver.Protocol.Names;
using Resolver.Core.Timing;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One upstream and what is known of it, as Unbound's infrastructure cache keeps it: smoothed RTT and its
/// variance, the retransmit timeout they give (RFC 6298), the names that failed in a row, and a down
/// state with exponential back-off. Thread-safe; read by the admin API and the metrics.
/// </summary>
public sealed class UpstreamServer
{
    /// <summary>The shortest retransmit timeout, however fast the server has been.</summary>
    public static readonly TimeSpan MinRetransmitTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How far above the best server's retransmit timeout another may lie and still be chosen for a retry or an
    /// exploring first try (Unbound's RTT band): beyond it, a server is asked only when the better ones fail.
    /// </summary>
    public static readonly TimeSpan RetransmitBand = TimeSpan.FromMilliseconds(400);

    /// <summary>The retransmit timeout of a server not yet measured (Unbound starts at 376 ms).</summary>
    public static readonly TimeSpan InitialRetransmitTimeout = TimeSpan.FromMilliseconds(400);

    private const double RttGain = 0.125; // RFC 6298 §2.3: alpha
    private const double VarianceGain = 0.25; // beta
    private const int MaxRememberedNames = 64;
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly HashSet<int> _failedNames = [];
    private double _srttMs;
    private double _rttVarMs;
    private double _rtoMs;
    private long _queries;
    private long _failures;
    private long _timeouts;
    private int _inFlight;
    private TimeSpan _backoff;
    private long _downUntil;
    private long _demotedUntil; // a timestamp; 0: never demoted
    private int _probing;

    public UpstreamServer(IPEndPoint endPoint, UpstreamTransport transport, string? tlsName, TimeProvider time, string? name = null)
    {
        EndPoint = endPoint;
        Transport = transport;
        TlsName = tlsName;
        _time = time;
        Name = name ?? DefaultName(endPoint, transport);
    }

    public IPEndPoint EndPoint { get; }

    public UpstreamTransport Transport { get; }

    public string? TlsName { get; }

    /// <summary>Unique among the upstreams: Upstreams:Servers:N:Name, else "address:port/transport" (with "#2" for a second one). Used in logs, metrics and the admin API.</summary>
    public string Name { get; }

    public double SmoothedRttMs { get { lock (_lock) { return _srttMs; } } }

    /// <summary>Failures in a row since the last answer, each name counted once.</summary>
    public int ConsecutiveFailures { get { lock (_lock) { return _failedNames.Count; } } }

    public long Queries => Interlocked.Read(ref _queries);

    public long Failures => Interlocked.Read(ref _failures);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public int InFlight => Volatile.Read(ref _inFlight);

    public string? LastError { get; private set; }

    /// <summary>When it was marked down (null while up).</summary>
    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Drained by an operator: skipped like a down server but never probed back up.</summary>
    public bool Drained { get; set; }

    public bool IsDown { get { lock (_lock) { return DownSince is not null; } } }

    public bool IsUsable => !IsDown && !Drained;

    /// <summary>
    /// Asked after the other usable servers of its pool for a while (<see cref="Demote"/>): it answered a name
    /// negatively that another upstream had. Read on every miss: one field read while never demoted.
    /// </summary>
    public bool IsDemoted
    {
        get
        {
            var until = Volatile.Read(ref _demotedUntil);
            return until != 0 && _time.GetTimestamp() < until;
        }
    }

    /// <summary>When the demotion ends, while one lasts.</summary>
    public DateTimeOffset? DemotedUntil
    {
        get
        {
            var (until, now) = (Volatile.Read(ref _demotedUntil), _time.GetTimestamp()); // each read once: IsDemoted's answer and this one agree
            return until != 0 && now < until ? _time.GetUtcNow() + _time.GetElapsedTime(now, until) : null;
        }
    }

    /// <summary>Raised when the server goes down or comes back, for logs and metrics.</summary>
    public event Action<UpstreamServer, bool>? HealthChanged;

    /// <summary>"address:port/transport", the name of a server the configuration does not name.</summary>
    public static string DefaultName(IPEndPoint endPoint, UpstreamTransport transport) => $"{endPoint}/{transport.ToString().ToLowerInvariant()}";

    public static UpstreamServer Create(UpstreamServerOptions options, TimeProvider time, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryParseEndPoint(options.Address, options.Transport, out var endPoint))
        {
            throw new FormatException($"'{options.Address}' is not an IP address with an optional port.");
        }

        return new UpstreamServer(endPoint, options.Transport, options.TlsName, time, name ?? options.Name);
    }

    public static bool TryParseEndPoint(string? text, UpstreamTransport transport, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text) || !IPEndPoint.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.Port == 0)
        {
            parsed.Port = transport == UpstreamTransport.Tls ? 853 : 53;
        }

        endPoint = parsed;
        return true;
    }

    public void BeginQuery()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _queries);
    }

    public void EndQuery() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// The retransmit timeout as it stands, backed off by unanswered tries: what the Fastest policy sorts by,
    /// so a server that has gone quiet sorts behind one that answers (its RTT estimate alone would not move).
    /// </summary>
    public double RetransmitTimeoutMs { get { lock (_lock) { return CurrentRtoMs; } } }

    /// <summary>The RTO as estimated, or the initial one before any answer; the caller holds the lock.</summary>
    private double CurrentRtoMs => _rtoMs == 0 ? InitialRetransmitTimeout.TotalMilliseconds : _rtoMs;

    /// <summary>How long to wait for this server's answer before the next try goes out, within [50 ms, <paramref name="max"/>].</summary>
    public TimeSpan RetransmitTimeout(TimeSpan max) =>
        TimeSpan.FromMilliseconds(Math.Clamp(RetransmitTimeoutMs, MinRetransmitTimeout.TotalMilliseconds, Math.Max(max.TotalMilliseconds, MinRetransmitTimeout.TotalMilliseconds)));

    /// <summary>
    /// A try went unanswered for the retransmit timeout it was given (<paramref name="waited"/>): the next waits
    /// twice that (RFC 6298 §5.5), up to <paramref name="max"/>. As Unbound does it: twice the timeout the try
    /// waited, not the current one, so the questions in flight that time out together double it once; and not
    /// at all when an answer has brought it below that meanwhile (an old try must not undo a fresh estimate).
    /// </summary>
    public void ReportRetransmit(TimeSpan waited, TimeSpan max)
    {
        lock (_lock)
        {
            var current = Math.Max(CurrentRtoMs, MinRetransmitTimeout.TotalMilliseconds);
            if (current < waited.TotalMilliseconds)
            {
                return;
            }

            _rtoMs = Math.Min(Math.Max(current, 2 * waited.TotalMilliseconds), max.TotalMilliseconds);
        }
    }

    /// <summary>An answer after <paramref name="rtt"/>: the RTT estimate moves (RFC 6298 §2), the back-off is dropped, the failure streak ends.</summary>
    public void ReportSuccess(TimeSpan rtt)
    {
        bool cameBack;
        lock (_lock)
        {
            var ms = rtt.TotalMilliseconds;
            if (_srttMs == 0)
            {
                (_srttMs, _rttVarMs) = (ms, ms / 2);
            }
            else
            {
                _rttVarMs = ((1 - VarianceGain) * _rttVarMs) + (VarianceGain * Math.Abs(_srttMs - ms));
                _srttMs = ((1 - RttGain) * _srttMs) + (RttGain * ms);
            }

            _rtoMs = _srttMs + Math.Max(1, 4 * _rttVarMs);
            _failedNames.Clear();
            cameBack = DownSince is not null;
            DownSince = null;
            _backoff = TimeSpan.Zero;
        }

        if (cameBack)
        {
            HealthChanged?.Invoke(this, true);
        }
    }

    /// <summary>
    /// Counts a failure for <paramref name="name"/> (a lower- or mixed-case wire name). Failures in a row for
    /// <see cref="UpstreamOptions.FailuresBeforeDown"/> different names mark the server down: it fails across
    /// names or has stopped answering, where failures for one name are that name's trouble. A failed
    /// <paramref name="probe"/> doubles the back-off; a client's try that fails while the server is down (one
    /// sent before it went down, or to it as the last resort) leaves the back-off and the next probe as they are,
    /// or a burst of late timeouts would push its return out by minutes.
    /// </summary>
    public void ReportFailure(UpstreamOutcome outcome, string error, ReadOnlySpan<byte> name, UpstreamOptions options, bool probe = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        Interlocked.Increment(ref _failures);
        if (outcome == UpstreamOutcome.Timeout)
        {
            Interlocked.Increment(ref _timeouts);
        }

        bool wentDown;
        lock (_lock)
        {
            LastError = $"{outcome}: {error}";
            if (_failedNames.Count < MaxRememberedNames)
            {
                _failedNames.Add(NameWire.GetHashCodeIgnoreCase(name));
            }

            wentDown = DownSince is null && _failedNames.Count >= options.FailuresBeforeDown;
            if (wentDown)
            {
                DownSince = _time.GetUtcNow();
                BackOff(options.DownBackoff);
            }
            else if (DownSince is not null && probe)
            {
                BackOff(TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, options.MaxDownBackoff.Ticks)));
            }
        }

        if (wentDown)
        {
            HealthChanged?.Invoke(this, false);
        }
    }

    /// <summary>Puts the server after the others that are up for <paramref name="period"/> from now (<see cref="IsDemoted"/>).</summary>
    public void Demote(TimeSpan period)
    {
        if (period > TimeSpan.Zero)
        {
            Volatile.Write(ref _demotedUntil, _time.TimestampAfter(period));
        }
    }

    /// <summary>The next probe waits <paramref name="backoff"/> from now; the caller holds the lock.</summary>
    private void BackOff(TimeSpan backoff)
    {
        _backoff = backoff;
        _downUntil = _time.TimestampAfter(backoff);
    }

    /// <summary>A down (not drained) server whose back-off has run out; claims the probe so only one runs.</summary>
    public bool TryBeginProbe()
    {
        lock (_lock)
        {
            if (DownSince is null || Drained || _time.GetTimestamp() < _downUntil)
            {
                return false;
            }
        }

        return Interlocked.Exchange(ref _probing, 1) == 0;
    }

    public void EndProbe() => Volatile.Write(ref _probing, 0);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} srtt={SmoothedRttMs:F1}ms down={IsDown}");
}
