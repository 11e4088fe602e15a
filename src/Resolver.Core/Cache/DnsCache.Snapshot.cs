namespace Resolver.Core.Cache;

/// <summary>What a snapshot (<see cref="CacheSnapshot"/>) needs from the cache: the entries worth keeping, and putting one back.</summary>
public sealed partial class DnsCache
{
    /// <summary>
    /// No entry is kept longer than this, whatever Cache:MaxStale says: it keeps the conversion between
    /// wall-clock and <see cref="TimeProvider.GetTimestamp"/> time (and MemoryCache's expiry) in range.
    /// </summary>
    internal static readonly TimeSpan MaxSnapshotAge = TimeSpan.FromDays(36_500);

    /// <summary>
    /// The entries still inside their stale window: what a restart should keep. Like <see cref="Census"/>,
    /// reading an entry marks it as used for MemoryCache's compaction order.
    /// </summary>
    internal IEnumerable<CacheEntry> SnapshotEntries()
    {
        var options = Options;
        foreach (var entry in Entries())
        {
            if (entry.Age(_time) < StaleWindow(entry.Kind, entry.Ttl, options))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// Puts back an entry read from a snapshot (its <see cref="CacheEntry.StoredAt"/> already converted to
    /// this process's clock); false when it is past its stale window. Meant for start-up, into an empty
    /// cache: it replaces whatever the key holds and ignores <see cref="Generation"/>.
    /// </summary>
    internal bool Restore(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var left = StaleWindow(entry.Kind, entry.Ttl, Options) - entry.Age(_time);
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        Insert(entry, left);
        return true;
    }

    /// <summary>
    /// How long after it was stored an entry can still answer: its TTL, plus Cache:MaxStale when serve-stale
    /// is on (never for SERVFAIL, which is not served stale); at most <see cref="MaxSnapshotAge"/>.
    /// </summary>
    internal static TimeSpan StaleWindow(CacheEntryKind kind, uint ttl, CacheOptions options)
    {
        var window = TimeSpan.FromSeconds(ttl);
        if (options.ServeStale && kind != CacheEntryKind.ServFail)
        {
            window = options.MaxStale >= MaxSnapshotAge ? MaxSnapshotAge : window + options.MaxStale;
        }

        return window < MaxSnapshotAge ? window : MaxSnapshotAge;
    }
}
