namespace Resolver.Core.Cache;

/// <summary>
/// The cache's eviction order: every indexed entry in one list, newest first, linked through the entries
/// themselves (no node objects). Eviction takes the oldest, but an entry answered from since it was last
/// passed (<see cref="CacheEntry.Referenced"/>, set on hits without a lock) gets a second chance at the
/// front: CLOCK, which approximates least-recently-used without a write to shared structure per hit.
/// Not thread-safe: the cache's lock covers it, with the name index it belongs to.
/// </summary>
internal sealed class ClockList
{
    private CacheEntry? _newest;
    private CacheEntry? _oldest;

    public void AddNewest(CacheEntry entry)
    {
        entry.Older = _newest;
        entry.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = entry;
        }

        _newest = entry;
        _oldest ??= entry;
    }

    public void Remove(CacheEntry entry)
    {
        if (entry.Newer is null)
        {
            _newest = entry.Older;
        }
        else
        {
            entry.Newer.Older = entry.Older;
        }

        if (entry.Older is null)
        {
            _oldest = entry.Newer;
        }
        else
        {
            entry.Older.Newer = entry.Newer;
        }

        entry.Newer = null;
        entry.Older = null;
    }

    /// <summary>
    /// The entry to evict next: the oldest not referenced since the hand last passed it, or one that can
    /// no longer answer (<paramref name="spent"/>) whatever its mark. Referenced entries it passes move to
    /// the front with their mark cleared. Null when the list is empty.
    /// </summary>
    public CacheEntry? NextVictim(Func<CacheEntry, bool> spent)
    {
        while (_oldest is { } candidate)
        {
            if (!candidate.Referenced || spent(candidate) || candidate == _newest)
            {
                return candidate;
            }

            candidate.Referenced = false;
            Remove(candidate);
            AddNewest(candidate);
        }

        return null;
    }
}
