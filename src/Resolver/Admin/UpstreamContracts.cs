namespace Resolver.Admin;

/// <summary>
/// GET /api/v1/upstreams: one upstream's health. <see cref="DemotedUntil"/>: it answered a name negatively that another
/// upstream had, and is asked after the others that are up until then.
/// </summary>
public sealed record UpstreamView(
    string Name,
    string Address,
    string Transport,
    string? TlsName,
    string State,
    double SmoothedRttMs,
    double RetransmitTimeoutMs,
    int InFlight,
    long Queries,
    long Failures,
    long Timeouts,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? DownSince,
    DateTimeOffset? DemotedUntil = null);

/// <summary>POST /api/v1/upstreams/drain: take an upstream out of use by hand (drain: true) or put it back.</summary>
public sealed record DrainRequest(string? Name = null, bool Drain = true);
