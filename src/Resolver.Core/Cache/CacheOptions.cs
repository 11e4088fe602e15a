namespace Resolver.Core.Cache;

/// <summary>The "Cache" configuration section. Defaults follow DESIGN.md's table.</summary>
public sealed class CacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>
    /// Upper bound on the memory the cache holds, each entry counted by its real footprint (answer bytes
    /// plus a measured per-entry overhead). Past 90 % the least recently used entries are evicted in the
    /// background down to 80 %, so new answers still find room. Unbounded memory is a denial-of-service risk.
    /// </summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A second bound, on the number of entries, kept the same way as <see cref="MaxBytes"/>.</summary>
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>Positive TTLs are raised to at least this.</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.Zero;

    /// <summary>Positive TTLs are lowered to at most this.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Cap on NXDOMAIN/NODATA lifetimes (RFC 2308 §5): a stuck negative answer caused the outage in DESIGN.md.</summary>
    public TimeSpan MaxNegativeTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Which NXDOMAINs also answer for the names below them (RFC 8020); see <see cref="Cache.NxDomainCut"/>.</summary>
    public NxDomainCut NxDomainCut { get; set; } = NxDomainCut.Validated;

    /// <summary>How long a SERVFAIL (every upstream failed) is remembered, so a dead domain is not hammered.</summary>
    public TimeSpan ServFailTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Serve expired answers when every upstream fails (RFC 8767).</summary>
    public bool ServeStale { get; set; } = true;

    /// <summary>TTL put on stale answers (RFC 8767 §4 recommends 30 s).</summary>
    public TimeSpan StaleAnswerTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long past expiry an answer may still be served stale (RFC 8767 suggests 1-3 days).</summary>
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// When an expired entry's refresh has not answered within this time, the client gets the stale
    /// answer while the refresh goes on (RFC 8767 §5 "client response timer", 1.8 s recommended).
    /// </summary>
    public TimeSpan StaleAnswerTimeout { get; set; } = TimeSpan.FromMilliseconds(1800);

    /// <summary>
    /// After a refresh failed, the entry is served stale at once, without asking upstreams again, for
    /// this long (RFC 8767 §5 "failure recheck timer", 30 s recommended).
    /// </summary>
    public TimeSpan StaleRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refresh an entry in the background when a hit finds less than this share of its TTL left.</summary>
    public bool Prefetch { get; set; } = true;

    public double PrefetchThreshold { get; set; } = 0.1;

    /// <summary>
    /// Where the cache is saved (on a graceful stop and every <see cref="SnapshotInterval"/>) and loaded
    /// from at start, so serve-stale has answers right after a restart. Empty disables snapshots. Null
    /// means the host's default: <c>cache.snapshot</c> beside the admin token file; without a host
    /// (the engine alone) null disables them too.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>How often the cache is saved while running, besides the save on a graceful stop.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(5);
}
