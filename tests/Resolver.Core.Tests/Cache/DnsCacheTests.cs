using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

public sealed class DnsCacheTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly CacheOptions _options = new() { MaxStale = TimeSpan.FromHours(1) };
    private readonly DnsCache _cache;

    public DnsCacheTests()
    {
        _cache = new DnsCache(new TestOptions<CacheOptions>(_options), _time, NullLogger<DnsCache>.Instance);
    }

    public void Dispose() => _cache.Dispose();

    private CacheEntry Store(byte[] response, string name = "www.test")
    {
        var entry = CacheEntryFactory.Create(Key(name), response, "u", _options, _time.GetTimestamp())!;
        Assert.True(_cache.Store(entry, _cache.Generation));
        return entry;
    }

    [Fact]
    public void Entry_IsFreshUntilItsTtl_ThenStale_ThenGone()
    {
        Store(Response(DnsResponseCode.NoError, [300]));

        Assert.Equal(CacheLookupState.Fresh, _cache.Lookup(Key()).State);
        _time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(CacheLookupState.Fresh, _cache.Lookup(Key()).State);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CacheLookupState.Stale, _cache.Lookup(Key()).State);
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(CacheLookupState.Stale, _cache.Lookup(Key()).State);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
        Assert.Equal(0, _cache.Count); // removed, not just hidden
    }

    [Fact]
    public void RemainingTtl_CountsDownInWholeSeconds()
    {
        var entry = Store(Response(DnsResponseCode.NoError, [300]));

        _time.Advance(TimeSpan.FromSeconds(100.7));

        Assert.Equal(200u, entry.RemainingTtl(_time));
    }

    [Fact]
    public void ServeStaleOff_ExpiredIsAMiss()
    {
        _options.ServeStale = false;
        Store(Response(DnsResponseCode.NoError, [300]));

        _time.Advance(TimeSpan.FromSeconds(300));

        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
    }

    [Fact]
    public void NxDomain_CoversTheNameForEveryType_AndEverythingBelowIt()
    {
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test"), "gone.test");

        Assert.Equal(CacheEntryKind.NxDomain, _cache.Lookup(Key("gone.test")).Entry?.Kind);
        Assert.Equal(CacheEntryKind.NxDomain, _cache.Lookup(Key("gone.test", Protocol.Records.DnsRecordType.MX)).Entry?.Kind);
        Assert.Equal(CacheEntryKind.NxDomain, _cache.Lookup(Key("a.b.gone.test")).Entry?.Kind);
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key("test")).State);
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key("notgone.test")).State);
    }

    [Fact]
    public void Store_AfterAFlushStarted_IsRefused()
    {
        var generation = _cache.Generation;
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [300]), "u", _options, _time.GetTimestamp())!;

        _cache.AdvanceGeneration();

        Assert.False(_cache.Store(entry, generation));
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
    }

    [Fact]
    public void Prefetch_CanStartOnlyOncePerEntry()
    {
        var entry = Store(Response(DnsResponseCode.NoError, [300]));

        Assert.True(entry.TryStartPrefetch());
        Assert.False(entry.TryStartPrefetch());
    }

    [Fact]
    public void SizeLimit_EvictsWhenFull()
    {
        _options.MaxEntries = 10;
        using var small = new DnsCache(new TestOptions<CacheOptions>(_options), _time, NullLogger<DnsCache>.Instance);
        for (var i = 0; i < 50; i++)
        {
            var entry = CacheEntryFactory.Create(Key($"n{i}.test"), Response(DnsResponseCode.NoError, [300], name: $"n{i}.test"), "u", _options, 0)!;
            small.Store(entry, small.Generation);
        }

        Assert.True(small.Count <= 10, $"{small.Count} entries");
    }
}
