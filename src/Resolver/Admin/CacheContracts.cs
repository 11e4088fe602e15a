namespace Resolver.Admin;

/// <summary>POST /api/v1/cache/flush. One of <see cref="Name"/> or <see cref="All"/> is required; scripts rely on these names.</summary>
public sealed record FlushRequest(
    string? Name = null,
    string? Type = null,
    bool Subtree = false,
    bool NegativeOnly = false,
    bool StaleOnly = false,
    bool All = false,
    bool Fleet = false);

/// <summary>
/// How many entries went here, the first 100 of them (<see cref="Truncated"/> when more went), and, for
/// a fleet flush, each peer's result.
/// </summary>
public sealed record FlushResponse(int Removed, IReadOnlyList<FlushedEntryView> Entries, bool Truncated, IReadOnlyList<PeerFlushResult> Peers);

/// <summary>One removed entry: its name, its type ("*" for an NXDOMAIN, which covers every type) and its kind.</summary>
public sealed record FlushedEntryView(string Name, string Type, string Kind);

/// <summary>One peer's answer to a fleet flush: its removed count and entries, or why it failed.</summary>
public sealed record PeerFlushResult(string Name, string Url, int? Removed, string? Error, IReadOnlyList<FlushedEntryView>? Entries = null, bool Truncated = false);

/// <summary>GET /api/v1/cache/{name}: every entry the cache holds for a name.</summary>
public sealed record CacheNameView(string Name, IReadOnlyList<CacheEntryView> Entries);

/// <summary>One entry; <see cref="Held"/> while a watch holds it (served, stale, though upstream answers negatively): since when, and why, in <see cref="Hold"/>.</summary>
public sealed record CacheEntryView(
    string Type,
    string Kind,
    string Rcode,
    bool Negative,
    bool Stale,
    uint TtlLeft,
    uint OriginalTtl,
    string? Upstream,
    int Hits,
    string? CoveredBy,
    IReadOnlyList<string> Answer,
    IReadOnlyList<string> Authority,
    bool Held = false,
    HoldView? Hold = null);

/// <summary>GET /api/v1/cache/stats. <see cref="Queries"/>: queries answered since start by RCODE ("NOERROR", "NXDOMAIN", …), those never sent left out.</summary>
public sealed record CacheStatsView(
    int Entries,
    int Positive,
    int Negative,
    int ServFail,
    int Stale,
    long Hits,
    long Misses,
    double HitRatio,
    long NegativeHits,
    long StaleAnswers,
    long Prefetches,
    long Evictions,
    long Refusals,
    long ResponseBytes,
    long Bytes,
    long MaxBytes,
    int MaxEntries,
    IReadOnlyDictionary<string, long> Queries);
