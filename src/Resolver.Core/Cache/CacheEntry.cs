using Resolver.Protocol.Messages;

namespace Resolver.Core.Cache;

/// <summary>
/// One cached answer in wire form (header, question, records; no OPT), with where each TTL sits so it
/// can be re-aged on the way out (<see cref="TtlTable"/>, in the same array). Immutable but for hit
/// counting and the once-only prefetch flag.
/// </summary>
public sealed class CacheEntry : CacheKey
{
    private readonly byte[] _stored;
    private readonly int _responseLength;
    private int _hits;
    private byte _prefetchStarted;
    private int _refreshFailedSecond = -1; // whole seconds after StoredAt, rounded up; -1: never

    /// <param name="stored">The message (<paramref name="responseLength"/> bytes) followed by its <see cref="TtlTable"/>.</param>
    internal CacheEntry(
        CacheKey key,
        CacheEntryKind kind,
        byte[] stored,
        int responseLength,
        uint ttl,
        long storedAt,
        string? upstream,
        bool cutsSubtree = false)
        : base(key)
    {
        Kind = kind;
        _stored = stored;
        _responseLength = responseLength;
        Ttl = ttl;
        StoredAt = storedAt;
        Upstream = upstream;
        CutsSubtree = cutsSubtree;
    }

    /// <summary>An entry for <paramref name="response"/>, whose records' TTLs (already clamped) sit at <paramref name="ttlOffsets"/>.</summary>
    public static CacheEntry Create(
        CacheKey key, CacheEntryKind kind, ReadOnlySpan<byte> response, ReadOnlySpan<int> ttlOffsets, uint ttl, long storedAt, string? upstream, bool cutsSubtree = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        var stored = TtlTable.Allocate(response.Length, ttlOffsets.Length) ?? throw new ArgumentException("A DNS message is at most 65535 bytes.", nameof(response));
        response.CopyTo(stored);
        for (var i = 0; i < ttlOffsets.Length; i++)
        {
            TtlTable.SetOffset(stored, response.Length, i, ttlOffsets[i]);
        }

        return new CacheEntry(key, kind, stored, response.Length, ttl, storedAt, upstream, cutsSubtree);
    }

    /// <summary>
    /// What one entry costs beyond its arrays: this object (its own key), MemoryCache's entry and dictionary slot,
    /// and the name index node with its hash slot. Measured with `dotnet run -c Release --project
    /// benchmarks/Resolver.Benchmarks -- --entry-footprint` (bytes retained per stored entry, less its arrays: 385), rounded up.
    /// </summary>
    public const int EntryOverhead = 390;

    /// <summary>The key this entry is stored under: the entry itself, whose equality is its key's.</summary>
    public CacheKey Key => this;

    /// <summary>The bytes this entry holds in memory, which is what Cache:MaxBytes counts.</summary>
    public int Footprint => EntryOverhead + _stored.Length + (ReferenceEquals(NameStorage.Array, _stored) ? 0 : Name.Length); // most entries read their name from the answer

    public CacheEntryKind Kind { get; }

    public bool IsNegative => Kind is CacheEntryKind.NxDomain or CacheEntryKind.NoData;

    /// <summary>What the answer says, for a log line: "NXDOMAIN", "NODATA", "SERVFAIL", or its answer records. Parses the message: off the hot path only.</summary>
    public string Describe() => Kind switch
    {
        CacheEntryKind.Positive => string.Join("; ", DnsMessage.Parse(Response).Answers),
        var other => other.ToString().ToUpperInvariant(),
    };

    /// <summary>
    /// Whether the name index holds this entry; set and cleared by <see cref="NameIndex"/> under the cache's
    /// lock, read without it by lookups, which never serve an entry the index let go of.
    /// </summary>
    internal bool Indexed { get; set; }

    /// <summary>An NXDOMAIN that also answers for the names below it (RFC 8020), as <see cref="NxDomainCut"/> allowed when it was stored.</summary>
    public bool CutsSubtree { get; }

    /// <summary>The answer as stored: ID and question case are patched per client, TTLs re-aged.</summary>
    public ReadOnlySpan<byte> Response => _stored.AsSpan(0, _responseLength);

    /// <summary>Each record's TTL: where it sits in <see cref="Response"/>, and its value at store time, already clamped to <see cref="Ttl"/>.</summary>
    public TtlTable TtlSlots => new(_stored, _responseLength);

    /// <summary>The one array the entry's bytes live in (answer and TTL table), which its key may read its name from.</summary>
    internal byte[] Storage => _stored;

    /// <summary>The entry's lifetime in seconds: after clamping, the smallest TTL of the answer (RFC 2181 §5.2).</summary>
    public uint Ttl { get; }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long StoredAt { get; }

    /// <summary>The upstream that answered ("address/transport"), or null for synthesized entries.</summary>
    public string? Upstream { get; }

    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Counts a hit and marks the entry used for eviction (<see cref="ClockList"/>).</summary>
    public void RecordHit()
    {
        Interlocked.Increment(ref _hits);
        if (!Referenced)
        {
            Referenced = true; // written once per pass of the clock hand, not once per hit
        }
    }

    /// <summary>Answered from since the eviction hand last passed it; set without a lock, read and cleared under the cache's.</summary>
    internal bool Referenced { get; set; }

    /// <summary>The next newer entry in the eviction order (<see cref="ClockList"/>); under the cache's lock.</summary>
    internal CacheEntry? Newer { get; set; }

    /// <summary>The next older entry in the eviction order (<see cref="ClockList"/>); under the cache's lock.</summary>
    internal CacheEntry? Older { get; set; }

    /// <summary>True the first time only, so one entry triggers one prefetch.</summary>
    public bool TryStartPrefetch() => Interlocked.Exchange(ref _prefetchStarted, 1) == 0;

    /// <summary>Notes that upstreams could not refresh this entry (it is being served stale).</summary>
    public void MarkRefreshFailed(TimeProvider time) =>
        Volatile.Write(ref _refreshFailedSecond, (int)Math.Min(Math.Ceiling(Age(time).TotalSeconds), int.MaxValue));

    /// <summary>Whether a refresh failed within <paramref name="window"/> (to the second): then serve stale without asking again.</summary>
    public bool RefreshFailedWithin(TimeProvider time, TimeSpan window)
    {
        var failedAt = Volatile.Read(ref _refreshFailedSecond);
        return failedAt >= 0 && Age(time) - TimeSpan.FromSeconds(failedAt) < window;
    }

    public TimeSpan Age(TimeProvider time) => time.GetElapsedTime(StoredAt);

    public bool IsFresh(TimeProvider time) => Age(time) < TimeSpan.FromSeconds(Ttl);

    /// <summary>Seconds of TTL left, rounded down; 0 once expired.</summary>
    public uint RemainingTtl(TimeProvider time)
    {
        var age = (long)Age(time).TotalSeconds;
        return age >= Ttl ? 0 : (uint)(Ttl - age);
    }
}
