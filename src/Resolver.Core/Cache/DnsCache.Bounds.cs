namespace Resolver.Core.Cache;

/// <summary>
/// Keeping within Cache:MaxBytes and Cache:MaxEntries: eviction by the clock (<see cref="ClockList"/>), in the
/// background past the high-water mark and before a store that would cross a bound, and the thread-pool
/// runner for that upkeep.
/// </summary>
public sealed partial class DnsCache
{
    /// <summary>Share of MaxBytes/MaxEntries past which eviction starts in the background.</summary>
    private const double HighWater = 0.90;

    /// <summary>Share of MaxBytes/MaxEntries that eviction brings the cache back to.</summary>
    private const double LowWater = 0.80;

    /// <summary>Entries evicted by one hold of the lock in the background, so stores never wait long.</summary>
    private const int EvictionBatch = 1024;

    /// <summary>
    /// Past <see cref="HighWater"/> of either bound, starts eviction on the thread pool (one at a time): the
    /// store that crossed the mark does not wait. The caller holds the lock.
    /// </summary>
    private void EvictAhead(CacheOptions options)
    {
        if (IsOver(options, HighWater) && Interlocked.Exchange(ref _evicting, 1) == 0)
        {
            InBackground(static cache => cache.EvictToLowWater());
        }
    }

    /// <summary>Evicts, a batch per hold of the lock, until both bounds are back under <see cref="LowWater"/>.</summary>
    private void EvictToLowWater()
    {
        try
        {
            var more = true;
            while (more)
            {
                lock (_lock)
                {
                    var options = Options;
                    for (var i = 0; i < EvictionBatch && (more = IsOver(options, LowWater)); i++)
                    {
                        EvictOne();
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    /// <summary>
    /// Before a store: evicts until <paramref name="entry"/> fits within both bounds, so MemoryCache never
    /// refuses an answer just fetched. False (a refusal) for an entry larger than Cache:MaxBytes by itself.
    /// The caller holds the lock.
    /// </summary>
    private bool MakeRoom(CacheEntry entry, CacheOptions options)
    {
        if (entry.Footprint > options.MaxBytes)
        {
            Interlocked.Increment(ref _refusals);
            return false;
        }

        while (_index.Bytes + entry.Footprint > options.MaxBytes || _index.Count + 1 > options.MaxEntries)
        {
            if (!EvictOne())
            {
                break;
            }
        }

        return true;
    }

    /// <summary>Evicts the entry the clock picks: one that can no longer answer, else the oldest not used since the hand last passed.</summary>
    private bool EvictOne()
    {
        if (_index.NextVictim(_spent) is not { } victim)
        {
            return false;
        }

        Drop(victim);
        Interlocked.Increment(ref _evictions);
        return true;
    }

    /// <summary>Whether bytes or entries are past <paramref name="mark"/> of their bound.</summary>
    private bool IsOver(CacheOptions options, double mark) =>
        _index.Bytes > options.MaxBytes * mark || _index.Count > options.MaxEntries * mark;

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
