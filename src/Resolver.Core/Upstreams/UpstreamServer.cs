using System.Globalization;
using System.Net;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One upstream and its passive health: smoothed RTT, consecutive failures, and a down state with
/// exponential back-off. Thread-safe; read by the admin API and the metrics.
/// </summary>
public sealed class UpstreamServer
{
    private const double SmoothingFactor = 0.3;
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _srttMs;
    private int _consecutiveFailures;
    private long _queries;
    private long _failures;
    private long _timeouts;
    private int _inFlight;
    private TimeSpan _backoff;
    private long _downUntil;
    private int _probing;

    public UpstreamServer(IPEndPoint endPoint, UpstreamTransport transport, string? tlsName, TimeProvider time)
    {
        EndPoint = endPoint;
        Transport = transport;
        TlsName = tlsName;
        _time = time;
        Name = $"{endPoint}/{transport.ToString().ToLowerInvariant()}";
    }

    public IPEndPoint EndPoint { get; }

    public UpstreamTransport Transport { get; }

    public string? TlsName { get; }

    /// <summary>"address:port/transport", used in logs, metrics and the admin API.</summary>
    public string Name { get; }

    public double SmoothedRttMs { get { lock (_lock) { return _srttMs; } } }

    public int ConsecutiveFailures { get { lock (_lock) { return _consecutiveFailures; } } }

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

    /// <summary>Raised when the server goes down or comes back, for logs and metrics.</summary>
    public event Action<UpstreamServer, bool>? HealthChanged;

    public static UpstreamServer Create(UpstreamServerOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryParseEndPoint(options.Address, options.Transport, out var endPoint))
        {
            throw new FormatException($"'{options.Address}' is not an IP address with an optional port.");
        }

        return new UpstreamServer(endPoint, options.Transport, options.TlsName, time);
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

    public void ReportSuccess(TimeSpan rtt)
    {
        bool cameBack;
        lock (_lock)
        {
            var ms = rtt.TotalMilliseconds;
            _srttMs = _srttMs == 0 ? ms : ((1 - SmoothingFactor) * _srttMs) + (SmoothingFactor * ms);
            _consecutiveFailures = 0;
            cameBack = DownSince is not null;
            DownSince = null;
            _backoff = TimeSpan.Zero;
        }

        if (cameBack)
        {
            HealthChanged?.Invoke(this, true);
        }
    }

    /// <summary>Counts a failure; enough in a row mark the server down, and a failure while down doubles the back-off.</summary>
    public void ReportFailure(UpstreamOutcome outcome, string error, TimeSpan timeout, UpstreamOptions options)
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
            _consecutiveFailures++;
            if (outcome == UpstreamOutcome.Timeout)
            {
                _srttMs = Math.Max(_srttMs, timeout.TotalMilliseconds); // a timeout is at least as slow as the timeout
            }

            wentDown = DownSince is null && _consecutiveFailures >= options.FailuresBeforeDown;
            if (wentDown)
            {
                DownSince = _time.GetUtcNow();
                _backoff = options.DownBackoff;
            }
            else if (DownSince is not null)
            {
                _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, options.MaxDownBackoff.Ticks));
            }

            if (DownSince is not null)
            {
                _downUntil = _time.GetTimestamp() + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
            }
        }

        if (wentDown)
        {
            HealthChanged?.Invoke(this, false);
        }
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
