namespace Resolver.Core.Cache;

/// <summary>What a snapshot (<see cref="CacheSnapshot"/>) needs from the cache: the entries worth keeping, and putting one back.</summary>
public sealed partial class DnsCache
{
    /// <summary>
    /// No entry is kept longer than this, whatever Cache:MaxStale says: it keeps the conversion between
    /// wall-clock and <see cref="TimeProvider.GetTimestamp"/> time in range.
    /// </summary>
    internal static readonly TimeSpan MaxSnapshotAge = TimeSpan.FromDays(36_500);

    /// <summary>What became of an entry read from a snapshot.</summary>
    internal enum RestoreResult
    {
        Restored,

        /// <summary>Past its stale window: it could never answer again.</summary>
        Expired,

        /// <summary>The cache is as full as restoring may make it (Cache:MaxEntries or MaxBytes lowered since the save).</summary>
        Full,
    }

    /// <summary>
    /// The entries still inside their stale window: what a restart should keep. Read from the name index,
    /// which marks nothing as used, so taking a snapshot leaves the eviction order as it was.
    /// </summary>
    internal List<CacheEntry> SnapshotEntries()
    {
        var entries = new List<CacheEntry>();
        lock (_lock)
        {
            _index.CollectAll(entries);
        }

        entries.RemoveAll(IsSpent);
        return entries;
    }

    /// <summary>
    /// Puts back an entry read from a snapshot (its <see cref="CacheEntry.StoredAt"/> already converted to
    /// this process's clock), for the part of its stale window it has left. Restoring stops short of the
    /// high-water mark, so it never sets off an eviction that would take what it just restored.
    /// </summary>
    internal RestoreResult Restore(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var options = Options;
        var left = StaleWindow(entry.Kind, entry.Ttl, options) - entry.Age(_time);
        if (left <= TimeSpan.Zero)
        {
            return RestoreResult.Expired;
        }

        // Straight to Insert, not through Store's Add: restoring, at start, needs neither the flush check nor
        // eviction (it stops short of the high-water mark instead).
        lock (_lock)
        {
            if (_index.Count + 1 > options.MaxEntries * HighWater || _index.Bytes + entry.Footprint > options.MaxBytes * HighWater)
            {
                return RestoreResult.Full;
            }

            return Insert(entry, verify: false) ? RestoreResult.Restored : RestoreResult.Full;
        }
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
