using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>The operator's side of the cache: flush, inspect, count. Each reads the name index, touching only what it names.</summary>
public sealed partial class DnsCache
{
    /// <summary>The root name in wire form: everything is below it.</summary>
    private static readonly byte[] s_root = [0];
    /// <summary>
    /// Removes what <paramref name="scope"/> selects, and every NXDOMAIN cached for an ancestor that
    /// answers for the named name (RFC 8020): flushing a name must reach the entry that answers for it.
    /// Upstream fetches for these names already in flight cannot store their (pre-flush) answers afterwards.
    /// </summary>
    public FlushResult Flush(FlushScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.All && scope.Name is null)
        {
            throw new ArgumentException("A flush names a name, or asks for everything.", nameof(scope));
        }

        var name = scope.CanonicalName;
        var candidates = new List<CacheEntry>();
        var selected = new List<CacheEntry>();
        lock (_lock)
        {
            _flushes.Record(scope);
            if (scope is { Type: null, NegativeOnly: false, StaleOnly: false } && (scope.Subtree || name is null))
            {
                _index.RemoveSubtree(name ?? s_root, selected); // everything below goes (the root for everything): no entry to look at one by one
            }
            else if (name is null)
            {
                _index.CollectAll(candidates);
            }
            else
            {
                _index.Collect(name, scope.Subtree, candidates);
            }

            if (name is not null)
            {
                _index.CollectAncestorNameErrors(name, candidates);
            }

            foreach (var entry in candidates)
            {
                if (Selects(scope, name, entry) && _index.Remove(entry))
                {
                    selected.Add(entry);
                }
            }

            if (selected.Count <= EvictionBatch)
            {
                RemoveFromStore(selected);
            }
        }

        // Out of the index, an entry is no longer served (lookups skip entries not indexed), so a large
        // flush is done here; MemoryCache lets go of its entries on the thread pool, a batch per hold of the lock.
        var result = new FlushResult();
        foreach (var entry in selected)
        {
            result.Add(entry);
        }

        if (selected.Count > EvictionBatch)
        {
            InBackground(cache => cache.Purge(selected));
        }

        return result;
    }

    /// <summary>
    /// Removes flushed entries from MemoryCache, each only while it is still the one stored under its key
    /// (an answer stored since the flush stays).
    /// </summary>
    private void Purge(List<CacheEntry> flushed)
    {
        for (var start = 0; start < flushed.Count; start += EvictionBatch)
        {
            lock (_lock)
            {
                RemoveFromStore(flushed.Skip(start).Take(EvictionBatch));
            }
        }
    }

    /// <summary>Removes each entry from MemoryCache while it is still the one stored under its key. The caller holds the lock.</summary>
    private void RemoveFromStore(IEnumerable<CacheEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (_cache.TryGetValue(entry.Key, out var stored) && ReferenceEquals(stored, entry))
            {
                _cache.Remove(entry.Key);
            }
        }
    }

    /// <summary>Every entry for <paramref name="name"/> (each type), and any NXDOMAIN cached for an ancestor that covers it.</summary>
    public IReadOnlyList<CacheEntry> Inspect(DnsName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var wire = name.ToLowerInvariant().Wire.ToArray();
        var entries = new List<CacheEntry>();
        lock (_lock)
        {
            _index.Collect(wire, subtree: false, entries);
            _index.CollectAncestorNameErrors(wire, entries);
        }

        return [.. entries
            .Where(e => !e.Key.IsNameError || Covers(e, wire))
            .OrderBy(e => e.Key.IsNameError ? 0 : 1)
            .ThenBy(e => (ushort)e.Key.Type)];
    }

    public CacheCensus Census()
    {
        var all = new List<CacheEntry>();
        lock (_lock)
        {
            _index.CollectAll(all);
        }

        int positive = 0, negative = 0, servFail = 0, stale = 0;
        long bytes = 0;
        foreach (var entry in all)
        {
            bytes += entry.Response.Length;
            _ = entry.Kind switch
            {
                CacheEntryKind.Positive => positive++,
                CacheEntryKind.ServFail => servFail++,
                _ => negative++,
            };
            if (!entry.IsFresh(_time))
            {
                stale++;
            }
        }

        return new CacheCensus(all.Count, positive, negative, servFail, stale, bytes);
    }

    /// <summary>
    /// The scope's rule for one candidate: entries at or below the name by <see cref="FlushScope.NamesKey"/>,
    /// an ancestor's NXDOMAIN only where it covers the name; then the kind and freshness asked for.
    /// </summary>
    private bool Selects(FlushScope scope, byte[]? name, CacheEntry entry) =>
        (name is null || NameWire.IsAtOrBelow(entry.Key.Name, name) ? scope.NamesKey(entry.Key) : Covers(entry, name))
        && scope.TakesKind(entry)
        && (!scope.StaleOnly || !entry.IsFresh(_time));
}
