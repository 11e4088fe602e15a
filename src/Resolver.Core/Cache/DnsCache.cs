using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>
/// The answer cache on <see cref="MemoryCache"/>: one slot per entry, a size limit with eviction,
/// entries kept past expiry for the serve-stale window. Freshness is decided here, from the injected
/// <see cref="TimeProvider"/>, not by MemoryCache's own expiry (which only reclaims memory). Beside it a
/// <see cref="NameIndex"/> finds entries by name for flush and inspect; one lock keeps the two in step
/// (stores, flushes and MemoryCache's eviction callbacks take it; lookups never do).
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
    private readonly PostEvictionCallbackRegistration _onEvicted;
    private long _evictions;
    private long _refusals;
    private int _compacting;
    private bool _disposed;

    /// <param name="pools">Where each name's upstream pool begins, so an NXDOMAIN cut never crosses into a forwarder's names; null: one pool.</param>
    public DnsCache(IOptionsMonitor<CacheOptions> options, TimeProvider time, ILogger<DnsCache> logger, UpstreamRegistry? pools = null)
    {
        _options = options;
        _pools = pools;
        _time = time;
        _logger = logger;
        // MaxBytes is MemoryCache's hard limit, which it keeps by refusing new entries; this cache compacts
        // ahead of it (see CompactAhead), so refusals are rare and an answer just fetched finds room.
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.CurrentValue.MaxBytes,
            CompactionPercentage = 1 - LowWater,
        });
        _onEvicted = new PostEvictionCallbackRegistration { EvictionCallback = OnEvicted, State = this }; // one for all entries
    }

    public CacheOptions Options => _options.CurrentValue;

    public TimeProvider Time => _time;

    public int Count => _cache.Count;

    /// <summary>Entries MemoryCache let go to make room (least recently used first).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Answers not cached because the cache was full (MemoryCache refuses rather than evicts past its limit).</summary>
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
        for (var up = 0; ; up++)
        {
            var marker = key.NameErrorAncestor(up);
            if (marker is null || marker.Name.Length < apex)
            {
                return exact;
            }

            var nameError = Classify(marker);
            if (nameError.Entry is not { } entry || (up > 0 && !entry.CutsSubtree))
            {
                continue;
            }

            if (nameError.State == CacheLookupState.Fresh || exact.State == CacheLookupState.Miss)
            {
                return nameError;
            }
        }
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
        if (!Add(entry, TimeSpan.FromSeconds(entry.Ttl) + (options.ServeStale ? options.MaxStale : TimeSpan.Zero), generation, options))
        {
            return false;
        }

        if (entry.Kind == CacheEntryKind.NxDomain)
        {
            LogStoredNegative(_logger, entry.Key.ToString(), entry.Ttl);
        }

        return true;
    }

    /// <summary>
    /// Stores <paramref name="entry"/> for <paramref name="lifetime"/> unless a flush since <paramref name="generation"/>
    /// would have removed it, making room first when stores outran compaction.
    /// </summary>
    private bool Add(CacheEntry entry, TimeSpan lifetime, long generation, CacheOptions options)
    {
        lock (_lock)
        {
            if (_flushes.Blocks(generation, entry))
            {
                return false;
            }

            if (_index.Bytes + entry.Footprint > options.MaxBytes && ShareOverLowWater(options, LowWater, exact: true) is > 0 and var share)
            {
                // Stores outran the background compaction up to the hard limit: make room now rather
                // than have MemoryCache refuse the answer just fetched.
                _cache.Compact(share);
            }

            if (!Insert(entry, lifetime))
            {
                return false;
            }

            CompactAhead(options);
        }

        return true;
    }

    /// <summary>
    /// Puts <paramref name="entry"/> in MemoryCache (which reclaims it after <paramref name="lifetime"/>) and in the
    /// name index; false when MemoryCache refused it (full). The caller holds the lock.
    /// </summary>
    private bool Insert(CacheEntry entry, TimeSpan lifetime)
    {
        _index.Add(entry);
        using (var item = _cache.CreateEntry(entry.Key))
        {
            item.Value = entry;
            item.Size = entry.Footprint;
            item.AbsoluteExpirationRelativeToNow = lifetime > TimeSpan.Zero ? lifetime : TimeSpan.FromTicks(1);
            item.PostEvictionCallbacks.Add(_onEvicted);
        }

        if (!_cache.TryGetValue(entry.Key, out var stored) || !ReferenceEquals(stored, entry))
        {
            // Refused: full (or the entry alone is larger than MaxBytes). The index mirrors what
            // MemoryCache kept, the entry this one would have replaced included.
            _index.Remove(entry);
            if (stored is CacheEntry kept)
            {
                _index.Add(kept);
            }

            Interlocked.Increment(ref _refusals);
            return false;
        }

        return true;
    }

    /// <summary>An entry that may be served stale (for when every upstream failed), if any.</summary>
    public CacheEntry? FindStale(CacheKey key)
    {
        var lookup = Lookup(key);
        return lookup.State != CacheLookupState.Miss && lookup.Entry!.Kind != CacheEntryKind.ServFail ? lookup.Entry : null;
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

        var options = Options;
        if (options.ServeStale && entry.Kind != CacheEntryKind.ServFail && entry.Age(_time) < TimeSpan.FromSeconds(entry.Ttl) + options.MaxStale)
        {
            return new CacheLookup(CacheLookupState.Stale, entry);
        }

        _cache.Remove(key);
        return CacheLookup.Miss;
    }

    /// <summary>
    /// MemoryCache let an entry go (expired, evicted for space, removed, replaced): the index lets go of
    /// that very entry, not of a newer one stored under the same key since.
    /// </summary>
    private static void OnEvicted(object key, object? value, EvictionReason reason, object? state)
    {
        var cache = (DnsCache)state!;
        if (reason == EvictionReason.Replaced || value is not CacheEntry { Indexed: true } entry)
        {
            return; // replaced: the index holds the new entry already; not indexed: a flush or a refusal took it out
        }

        bool held;
        lock (cache._lock)
        {
            held = cache._index.Remove(entry); // false for a refused entry: Store took it out already
        }

        if (held && reason == EvictionReason.Capacity)
        {
            Interlocked.Increment(ref cache._evictions);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Cached NXDOMAIN for {Key} for {Ttl} s")]
    private static partial void LogStoredNegative(ILogger logger, string key, uint ttl);
}
