using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>The operator's side of the cache: flush, inspect, count. Each walks the keys once.</summary>
public sealed partial class DnsCache
{
    /// <summary>
    /// Removes what <paramref name="scope"/> selects, and every NXDOMAIN cached for an ancestor that
    /// answers for the named name (RFC 8020): flushing a name must reach the entry that answers for it.
    /// Upstream fetches already in flight cannot store their (pre-flush) answers afterwards.
    /// </summary>
    public FlushResult Flush(FlushScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.All && scope.Name is null)
        {
            throw new ArgumentException("A flush names a name, or asks for everything.", nameof(scope));
        }

        AdvanceGeneration();
        var name = scope.Name is null ? null : Canonical(scope.Name);
        var result = new FlushResult();
        foreach (var key in Keys())
        {
            // Keys are matched first: entries are read (which also marks them used) only for candidates.
            if (!SelectsKey(scope, name, key) || !_cache.TryGetValue(key, out var value) || value is not CacheEntry entry || !SelectsEntry(scope, name, entry))
            {
                continue;
            }

            _cache.Remove(key);
            result.Add(entry);
        }

        return result;
    }

    /// <summary>Every entry for <paramref name="name"/> (each type), and any NXDOMAIN cached for an ancestor that covers it.</summary>
    public IReadOnlyList<CacheEntry> Inspect(DnsName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var wire = Canonical(name);
        return [.. Keys()
            .Where(k => k.Name.SequenceEqual(wire) || (k.IsNameError && NameWire.IsAtOrBelow(wire, k.Name)))
            .Select(k => _cache.TryGetValue(k, out var value) ? value as CacheEntry : null)
            .OfType<CacheEntry>()
            .Where(e => !e.Key.IsNameError || Covers(e, wire))
            .OrderBy(e => e.Key.IsNameError ? 0 : 1)
            .ThenBy(e => (ushort)e.Key.Type)];
    }

    public CacheCensus Census()
    {
        int entries = 0, positive = 0, negative = 0, servFail = 0, stale = 0;
        long bytes = 0;
        foreach (var entry in Entries())
        {
            entries++;
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

        return new CacheCensus(entries, positive, negative, servFail, stale, bytes);
    }

    private IEnumerable<CacheKey> Keys() => _cache.Keys.OfType<CacheKey>();

    private IEnumerable<CacheEntry> Entries()
    {
        foreach (var key in Keys())
        {
            if (_cache.TryGetValue(key, out var value) && value is CacheEntry entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>The name (or its subtree) in the scope's type, and any NXDOMAIN marker of an ancestor (which may cover the name).</summary>
    private static bool SelectsKey(FlushScope scope, byte[]? name, CacheKey key) =>
        name is null
        || ((scope.Subtree ? NameWire.IsAtOrBelow(key.Name, name) : key.Name.SequenceEqual(name)) && (scope.Type is not { } type || key.Type == type || key.IsNameError))
        || (key.IsNameError && NameWire.IsAtOrBelow(name, key.Name));

    /// <summary>An ancestor's NXDOMAIN only where it covers the name; then the kind and freshness the scope asks for.</summary>
    private bool SelectsEntry(FlushScope scope, byte[]? name, CacheEntry entry) =>
        (name is null || !entry.Key.IsNameError || NameWire.IsAtOrBelow(entry.Key.Name, name) || Covers(entry, name))
        && (!scope.NegativeOnly || entry.IsNegative || entry.Kind == CacheEntryKind.ServFail)
        && (!scope.StaleOnly || !entry.IsFresh(_time));

    private static byte[] Canonical(DnsName name)
    {
        var wire = new byte[name.Wire.Length];
        name.CopyCanonical(wire);
        return wire;
    }
}
