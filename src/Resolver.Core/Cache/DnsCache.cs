using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>
/// The answer cache on <see cref="MemoryCache"/>: one slot per entry, a size limit with eviction,
/// entries kept past expiry for the serve-stale window. Freshness is decided here, from the injected
/// <see cref="TimeProvider"/>, not by MemoryCache's own expiry (which only reclaims memory).
/// </summary>
public sealed partial class DnsCache : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly IOptionsMonitor<CacheOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DnsCache> _logger;
    private readonly UpstreamRegistry? _pools;
    private long _evictions;
    private long _generation;

    /// <param name="pools">Where each name's upstream pool begins, so an NXDOMAIN cut never crosses into a forwarder's names; null: one pool.</param>
    public DnsCache(IOptionsMonitor<CacheOptions> options, TimeProvider time, ILogger<DnsCache> logger, UpstreamRegistry? pools = null)
    {
        _options = options;
        _pools = pools;
        _time = time;
        _logger = logger;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.CurrentValue.MaxEntries,
            CompactionPercentage = 0.05,
        });
    }

    public CacheOptions Options => _options.CurrentValue;

    public TimeProvider Time => _time;

    public int Count => _cache.Count;

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Bumped by every flush, so an upstream fetch started before it does not re-insert its answer.</summary>
    public long Generation => Interlocked.Read(ref _generation);

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

    /// <summary>Stores an entry unless a flush happened since <paramref name="generation"/> was read.</summary>
    public bool Store(CacheEntry entry, long generation)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (generation != Generation)
        {
            return false;
        }

        var options = Options;
        var lifetime = TimeSpan.FromSeconds(entry.Ttl) + (options.ServeStale ? options.MaxStale : TimeSpan.Zero);
        using (var item = _cache.CreateEntry(entry.Key))
        {
            item.Value = entry;
            item.Size = 1;
            item.AbsoluteExpirationRelativeToNow = lifetime > TimeSpan.Zero ? lifetime : TimeSpan.FromTicks(1);
            item.RegisterPostEvictionCallback(static (_, _, reason, state) =>
            {
                if (reason == EvictionReason.Capacity)
                {
                    Interlocked.Increment(ref ((DnsCache)state!)._evictions);
                }
            }, this);
        }

        if (entry.Kind == CacheEntryKind.NxDomain)
        {
            LogStoredNegative(_logger, entry.Key.ToString(), entry.Ttl);
        }

        return true;
    }

    /// <summary>An entry that may be served stale (for when every upstream failed), if any.</summary>
    public CacheEntry? FindStale(CacheKey key)
    {
        var lookup = Lookup(key);
        return lookup.State != CacheLookupState.Miss && lookup.Entry!.Kind != CacheEntryKind.ServFail ? lookup.Entry : null;
    }

    public void Remove(CacheKey key) => _cache.Remove(key);

    /// <summary>Makes every fetch in flight unable to store (see <see cref="Store"/>); called by flushes.</summary>
    public void AdvanceGeneration() => Interlocked.Increment(ref _generation);

    public void Dispose() => _cache.Dispose();

    private CacheLookup Classify(CacheKey key)
    {
        if (!_cache.TryGetValue(key, out var value) || value is not CacheEntry entry)
        {
            return CacheLookup.Miss;
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

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Cached NXDOMAIN for {Key} for {Ttl} s")]
    private static partial void LogStoredNegative(ILogger logger, string key, uint ttl);
}
