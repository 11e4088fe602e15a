using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>
/// The answer cache on <see cref="MemoryCache"/>: one slot per entry, sized by its footprint, entries kept
/// past expiry for the serve-stale window. Freshness is decided here, from the injected
/// <see cref="TimeProvider"/>. Beside it a <see cref="NameIndex"/> finds entries by name for flush and
/// inspect and keeps the eviction order (<see cref="ClockList"/>): every change to MemoryCache is made
/// here, under one lock, so the two hold the same entries (stores, flushes and evictions take the lock;
/// lookups never do). MemoryCache needs no per-entry expiry or eviction callback for that, which is
/// about 130 bytes an entry.
/// </summary>
public sealed partial class DnsCache : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly IOptionsMonitor<CacheOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsCache> _logger;
    private readonly UpstreamRegistry? _pools;
    private readonly Lock _lock = new();
    private readonly NameIndex _index = new();
    private readonly FlushLog _flushes = new();
    private long _evictions;
    private long _refusals;
    private readonly Func<CacheEntry, bool> _spent;
    private int _evicting;
    private bool _disposed;

    /// <param name="pools">Where each name's upstream pool begins, so an NXDOMAIN cut never crosses into a forwarder's names; null: one pool.</param>
    public DnsCache(IOptionsMonitor<CacheOptions> options, TimeProvider time, ILogger<DnsCache> logger, UpstreamRegistry? pools = null)
    {
        _options = options;
        _pools = pools;
        _time = time;
        _logger = logger;
        // MaxBytes is also MemoryCache's limit, past which it would refuse new entries: a backstop only, since
        // this cache evicts ahead of it (DnsCache.Bounds.cs) and makes room before a store that would cross it.
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.CurrentValue.MaxBytes, CompactionPercentage = 0.05 });
        _spent = IsSpent;
    }

    public CacheOptions Options => _options.CurrentValue;

    public TimeProvider Time => _time;

    /// <summary>Entries held (the name index's count: exact, and cheaper than MemoryCache's, which takes every lock of its dictionary).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Entries let go to stay within the bounds (those that can no longer answer first, then by the clock).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Answers not cached for want of room: larger than Cache:MaxBytes by themselves, or refused by MemoryCache's backstop limit.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>The footprint of every entry held (what Cache:MaxBytes bounds).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _index.Bytes;
            }
        }
    }

    /// <summary>
    /// Bumped by every flush: an upstream fetch notes it when it starts and passes it to <see cref="Store"/>,
    /// so it cannot re-insert what a flush since then removed.
    /// </summary>
    public long Generation => _flushes.Sequence;

    /// <summary>
    /// Finds the answer for <paramref name="key"/>: the exact entry, else an NXDOMAIN cached for the name
    /// or for an ancestor whose NXDOMAIN covers it (<see cref="Covers"/>). Entries past the stale window
    /// are removed and reported as a miss.
    /// </summary>
    public CacheLookup Lookup(CacheKey key)
    {
        var exact = Classify(key);
        if (exact.State == CacheLookupState.Fresh)
        {
            return exact;
        }

        var apex = PoolApexLength(key.Name);
        var labels = NameWire.CountLabels(key.Name);
        for (var up = 0; up <= labels; up++)
        {
            if (up > 0 && !_index.MayCutSubtreesAt(labels - up))
            {
                continue; // an ancestor's NXDOMAIN covers the name only if it cuts its subtree, and none that far up does
            }

            var marker = key.NameErrorAncestor(up);
            if (marker is null || marker.Name.Length < apex)
            {
                return exact;
            }

            var nameError = Classify(marker);
            if (nameError.Entry is not { } entry || !Covers(entry, key.Name))
            {
                continue;
            }

            if (nameError.State == CacheLookupState.Fresh || exact.State == CacheLookupState.Miss)
            {
                return nameError;
            }
        }

        return exact;
    }

    /// <summary>
    /// Whether the NXDOMAIN <paramref name="nameError"/> answers for <paramref name="name"/>: it is that
    /// name's, or an ancestor's that cuts its subtree (RFC 8020, as <see cref="NxDomainCut"/> allowed) at
    /// or below the apex of the name's upstream pool (a cut from one pool never covers another's names).
    /// </summary>
    private bool Covers(CacheEntry nameError, ReadOnlySpan<byte> name)
    {
        var owner = nameError.Key.Name;
        return nameError.Key.IsNameError
            && (owner.SequenceEqual(name)
                || (nameError.CutsSubtree && owner.Length >= PoolApexLength(name) && NameWire.IsAtOrBelow(name, owner)));
    }

    private int PoolApexLength(ReadOnlySpan<byte> name) => _pools?.PoolApexLength(name) ?? 1;

    /// <summary>
    /// Stores an entry unless a flush since <paramref name="generation"/> (see <see cref="Generation"/>) would
    /// have removed it; flushes of other names do not get in the way.
    /// </summary>
    public bool Store(CacheEntry entry, long generation)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var options = Options;
        if (!Add(entry, generation, options))
        {
            return false;
        }

        if (entry.Kind == CacheEntryKind.NxDomain)
        {
            LogStoredNegative(_logger, entry.Key, entry.Ttl);
        }

        return true;
    }

    /// <summary>
    /// Stores <paramref name="entry"/> unless a flush since <paramref name="generation"/> would have removed it,
    /// making room first when stores outran the background eviction.
    /// </summary>
    private bool Add(CacheEntry entry, long generation, CacheOptions options)
    {
        lock (_lock)
        {
            if (_flushes.Blocks(generation, entry))
            {
                return false;
            }

            if (!MakeRoom(entry, options) || !Insert(entry))
            {
                return false;
            }

            EvictAhead(options);
        }

        return true;
    }

    /// <summary>
    /// Puts <paramref name="entry"/> in MemoryCache and in the name index; false when MemoryCache refused it
    /// (over its limit, which <see cref="MakeRoom"/> keeps it from, but entries a large flush has yet to
    /// purge still count there). Without <paramref name="verify"/> (a restore, well under the limit) the
    /// entry is not read back. The caller holds the lock.
    /// </summary>
    private bool Insert(CacheEntry entry, bool verify = true)
    {
        using (var item = _cache.CreateEntry(entry.Key))
        {
            item.Value = entry;
            item.Size = entry.Footprint;
        }

        if (verify && (!_cache.TryGetValue(entry.Key, out var stored) || !ReferenceEquals(stored, entry)))
        {
            Interlocked.Increment(ref _refusals);
            return false;
        }

        _index.Add(entry); // in place of the entry it replaced, if any
        return true;
    }

    /// <summary>Takes an entry out of the index and MemoryCache (under the lock): both hold it, or neither.</summary>
    private void Drop(CacheEntry entry)
    {
        if (_index.Remove(entry))
        {
            _cache.Remove(entry.Key);
        }
    }

    /// <summary>An entry that may be served stale (for when every upstream failed), if any.</summary>
    public CacheEntry? FindStale(CacheKey key)
    {
        var lookup = Lookup(key);
        return lookup.State != CacheLookupState.Miss && lookup.Entry!.Kind != CacheEntryKind.ServFail ? lookup.Entry : null;
    }

    /// <summary>Whether a positive answer to exactly this question is held, fresh or stale (an ancestor's NXDOMAIN is no such thing).</summary>
    /// <remarks>
    /// The exact key first: on a miss (every negative answer to a new name asks this) that one probe settles it, without
    /// the walk over the ancestors' NXDOMAINs, which matters only when a positive answer is there to be covered.
    /// </remarks>
    public bool HoldsPositive(CacheKey key) =>
        Classify(key) is { State: not CacheLookupState.Miss, Entry.Kind: CacheEntryKind.Positive }
        && FindStale(key) is { Kind: CacheEntryKind.Positive } held && held.Key.Equals(key);

    /// <summary>
    /// Drops the positive answer to <paramref name="key"/>, which a negative answer has replaced. An NXDOMAIN is kept
    /// under the name, not the question, so the positive answer would otherwise outlive it, stale. Not a flush: the
    /// negative answer fetched meanwhile may still be stored.
    /// </summary>
    public void DropPositive(CacheKey key)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var value) && value is CacheEntry { Kind: CacheEntryKind.Positive } entry)
            {
                Drop(entry);
            }
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _cache.Dispose();
    }

    private CacheLookup Classify(CacheKey key)
    {
        if (!_cache.TryGetValue(key, out var value) || value is not CacheEntry { Indexed: true } entry)
        {
            return CacheLookup.Miss; // not indexed: flushed, and on its way out of MemoryCache
        }

        if (entry.IsFresh(_time))
        {
            return new CacheLookup(CacheLookupState.Fresh, entry);
        }

        if (!IsSpent(entry))
        {
            return new CacheLookup(CacheLookupState.Stale, entry);
        }

        lock (_lock)
        {
            Drop(entry); // past its stale window: it can never answer again
        }

        return CacheLookup.Miss;
    }

    /// <summary>Past its stale window (<see cref="StaleWindow"/>): the entry can never answer again.</summary>
    private bool IsSpent(CacheEntry entry) => entry.Age(_time) >= StaleWindow(entry.Kind, entry.Ttl, Options);

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Cached NXDOMAIN for {Key} for {Ttl} s")]
    private static partial void LogStoredNegative(ILogger logger, CacheKey key, uint ttl);
}
