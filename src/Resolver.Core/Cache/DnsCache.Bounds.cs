namespace Resolver.Core.Cache;

/// <summary>
/// Keeping within Cache:MaxBytes and Cache:MaxEntries: compaction ahead of MemoryCache's hard limit, on the
/// thread pool, and the upkeep that runs there.
/// </summary>
public sealed partial class DnsCache
{
    /// <summary>Share of MaxBytes/MaxEntries past which compaction starts in the background.</summary>
    private const double HighWater = 0.90;

    /// <summary>Share of MaxBytes/MaxEntries that compaction brings the cache back to.</summary>
    private const double LowWater = 0.80;

    /// <summary>
    /// Past <see cref="HighWater"/> of either bound, starts a compaction on the thread pool (one at a time):
    /// the store that crossed the mark does not wait, and MemoryCache's hard limit, where it refuses new
    /// entries, is rarely reached.
    /// </summary>
    private void CompactAhead(CacheOptions options)
    {
        if (ShareOverLowWater(options, HighWater, exact: false) > 0 && Interlocked.Exchange(ref _compacting, 1) == 0)
        {
            InBackground(static cache => cache.Compact());
        }
    }

    /// <summary>
    /// Evicts the least recently used entries (MemoryCache's compaction: expired first, then by last use)
    /// until both bounds are back under <see cref="LowWater"/>; stores that arrive meanwhile are counted in.
    /// </summary>
    private void Compact()
    {
        try
        {
            for (var round = 0; round < 10; round++)
            {
                double share;
                lock (_lock)
                {
                    share = ShareOverLowWater(Options, LowWater, exact: true);
                }

                if (share <= 0)
                {
                    return;
                }

                _cache.Compact(Math.Min(1, share + 0.01));
            }
        }
        finally
        {
            Volatile.Write(ref _compacting, 0);
        }
    }

    /// <summary>
    /// The share of entries to evict to bring bytes and entries down to <see cref="LowWater"/>, once either is
    /// past <paramref name="mark"/>; 0 when neither is. The index's figures are cheap but run ahead of
    /// MemoryCache for a moment after evictions (the index learns of them from callbacks on the thread pool):
    /// good enough to notice the mark. <paramref name="exact"/> counts MemoryCache itself (which takes every
    /// lock of its dictionary, so only before a compaction) and takes bytes as that count times the indexed
    /// entries' mean footprint, so a compaction just done is not repeated.
    /// </summary>
    private double ShareOverLowWater(CacheOptions options, double mark, bool exact)
    {
        double count = exact ? _cache.Count : _index.Count;
        var bytes = exact ? (_index.Count == 0 ? 0 : count * _index.Bytes / _index.Count) : _index.Bytes;
        if (bytes <= options.MaxBytes * mark && count <= options.MaxEntries * mark)
        {
            return 0;
        }

        return Math.Max(1 - (options.MaxBytes * LowWater / bytes), 1 - (options.MaxEntries * LowWater / count));
    }

    /// <summary>Runs cache upkeep on the thread pool; once the cache is disposed (the host is stopping) it is skipped or cut short.</summary>
    private void InBackground(Action<DnsCache> work) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                try
                {
                    if (!Volatile.Read(ref state.Cache._disposed))
                    {
                        state.Work(state.Cache);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // Disposed while it ran: nothing left to keep up.
                }
            },
            (Cache: this, Work: work),
            preferLocal: false);
}
