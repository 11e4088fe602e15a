using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

public sealed class DnsCacheTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly CacheOptions _options = new() { MaxStale = TimeSpan.FromHours(1), NxDomainCut = NxDomainCut.Always };
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
    public void HoldsPositive_OnlyForThisQuestionsOwnPositiveAnswer_FreshOrStale_NotOneACoveringNxDomainHides()
    {
        Store(Response(DnsResponseCode.NoError, [300], name: "a.gone.test"), "a.gone.test");
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "missing.test"), "missing.test");

        Assert.True(_cache.HoldsPositive(Key("a.gone.test")));
        Assert.False(_cache.HoldsPositive(Key("a.gone.test", Protocol.Records.DnsRecordType.MX))); // another question
        Assert.False(_cache.HoldsPositive(Key("missing.test"))); // a negative answer
        Assert.False(_cache.HoldsPositive(Key("new.test"))); // nothing
        _time.Advance(TimeSpan.FromSeconds(301));
        Assert.True(_cache.HoldsPositive(Key("a.gone.test"))); // stale still counts

        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test"), "gone.test");
        Assert.False(_cache.HoldsPositive(Key("a.gone.test"))); // the fresh NXDOMAIN above answers for it now
    }

    [Theory]
    [InlineData(NxDomainCut.Always, false, true)]
    [InlineData(NxDomainCut.Always, true, true)]
    [InlineData(NxDomainCut.Validated, true, true)]
    [InlineData(NxDomainCut.Validated, false, false)]
    [InlineData(NxDomainCut.Off, true, false)]
    public void NxDomainCut_DecidesWhetherAnNxDomainCoversTheNamesBelow(NxDomainCut cut, bool authenticated, bool covers)
    {
        _options.NxDomainCut = cut;
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test", authenticated: authenticated), "gone.test");

        Assert.Equal(CacheEntryKind.NxDomain, _cache.Lookup(Key("gone.test", Protocol.Records.DnsRecordType.MX)).Entry?.Kind); // its own name: always
        Assert.Equal(covers ? CacheLookupState.Fresh : CacheLookupState.Miss, _cache.Lookup(Key("a.b.gone.test")).State);
        Assert.Equal(covers ? 1 : 0, _cache.Inspect(Protocol.Names.DnsName.Parse("a.b.gone.test")).Count);
        Assert.Equal(covers ? 1 : 0, _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("a.b.gone.test") }).Removed);
    }

    [Fact]
    public void NxDomainCut_NeverCrossesIntoAForwardersNames()
    {
        var upstreams = new UpstreamOptions
        {
            Servers = [new() { Address = "127.0.0.1:9" }],
            Forwarders = [new() { Domain = "corp.internal", Servers = [new() { Address = "127.0.0.2:9" }] }],
        };
        var registry = new UpstreamRegistry(new TestOptions<UpstreamOptions>(upstreams), _time, NullLogger<UpstreamRegistry>.Instance);
        using var cache = new DnsCache(new TestOptions<CacheOptions>(_options), _time, NullLogger<DnsCache>.Instance, registry);
        void StoreNxDomain(string name) =>
            cache.Store(CacheEntryFactory.Create(Key(name), Response(DnsResponseCode.NXDomain, [], 3600, 300, name: name), "u", _options, _time.GetTimestamp())!, cache.Generation);

        StoreNxDomain("internal"); // from the default pool

        Assert.Equal(CacheLookupState.Fresh, cache.Lookup(Key("www.internal")).State);
        Assert.Equal(CacheLookupState.Miss, cache.Lookup(Key("corp.internal")).State); // the forwarder's apex is its own
        Assert.Equal(CacheLookupState.Miss, cache.Lookup(Key("app.corp.internal")).State);
        Assert.Empty(cache.Inspect(Protocol.Names.DnsName.Parse("app.corp.internal")));
        Assert.Equal(0, cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("app.corp.internal") }).Removed);

        StoreNxDomain("corp.internal"); // from the forwarder's pool: covers its own names

        Assert.Equal(CacheLookupState.Fresh, cache.Lookup(Key("app.corp.internal")).State);
        Assert.Equal("corp.internal.", Assert.Single(cache.Inspect(Protocol.Names.DnsName.Parse("app.corp.internal"))).Key.ToName().ToString());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Flush_ANameBelowACachedNxDomain_RemovesTheCoveringEntry(bool subtree, bool negativeOnly)
    {
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "nx7.test"), "nx7.test");
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "www.nx7.test"), "www.nx7.test");
        Store(Response(DnsResponseCode.NoError, [300], name: "test"), "test");

        var result = _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("www.nx7.test"), Subtree = subtree, NegativeOnly = negativeOnly });

        Assert.Equal(2, result.Removed);
        Assert.Equal(["nx7.test.", "www.nx7.test."], result.Entries.Select(e => e.Key.ToName().ToString()).Order());
        Assert.All(result.Entries, e => Assert.Equal(CacheEntryKind.NxDomain, e.Kind));
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key("www.nx7.test")).State);
        Assert.Equal(CacheLookupState.Fresh, _cache.Lookup(Key("test")).State); // an ancestor's positive answer is not in the way
    }

    [Fact]
    public void Flush_StaleOnly_KeepsAFreshCoveringNxDomain()
    {
        Store(Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "nx7.test"), "nx7.test");

        var result = _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("www.nx7.test"), StaleOnly = true });

        Assert.Equal(0, result.Removed);
        Assert.Equal(CacheLookupState.Fresh, _cache.Lookup(Key("www.nx7.test")).State);
    }

    [Fact]
    public void Store_AfterAFlushOfItsName_IsRefused()
    {
        var generation = _cache.Generation;
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [300]), "u", _options, _time.GetTimestamp())!;

        _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("test"), Subtree = true });

        Assert.False(_cache.Store(entry, generation));
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
    }

    public static TheoryData<string, FlushScope> OtherFlushes => new()
    {
        { "another name", new FlushScope { Name = Protocol.Names.DnsName.Parse("other.test") } },
        { "another type", new FlushScope { Name = Protocol.Names.DnsName.Parse("www.test"), Type = Protocol.Records.DnsRecordType.AAAA } },
        { "negative entries only", new FlushScope { Name = Protocol.Names.DnsName.Parse("www.test"), NegativeOnly = true } },
        { "stale entries only", new FlushScope { All = true, StaleOnly = true } },
    };

    [Theory]
    [MemberData(nameof(OtherFlushes))]
    public void Store_AfterAFlushOfSomethingElse_GoesAhead(string what, FlushScope flush)
    {
        var generation = _cache.Generation;
        var entry = CacheEntryFactory.Create(Key(), Response(DnsResponseCode.NoError, [300]), "u", _options, _time.GetTimestamp())!;

        _cache.Flush(flush);

        Assert.True(_cache.Store(entry, generation), what);
        Assert.Equal(CacheLookupState.Fresh, _cache.Lookup(Key()).State);
    }

    [Fact]
    public void Store_AfterANegativeOnlyFlush_IsRefusedForANegativeAnswer()
    {
        var generation = _cache.Generation;
        var entry = CacheEntryFactory.Create(Key("gone.test"), Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test"), "u", _options, _time.GetTimestamp())!;

        _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("www.gone.test"), NegativeOnly = true }); // gone.test's NXDOMAIN would cover it

        Assert.False(_cache.Store(entry, generation));
    }

    [Fact]
    public void Prefetch_CanStartOnlyOncePerEntry()
    {
        var entry = Store(Response(DnsResponseCode.NoError, [300]));

        Assert.True(entry.TryStartPrefetch());
        Assert.False(entry.TryStartPrefetch());
    }

    [Fact]
    public void Index_LetsGoOfEntriesMemoryCacheDropped()
    {
        Store(Response(DnsResponseCode.NoError, [300]));
        _time.Advance(TimeSpan.FromSeconds(300) + _options.MaxStale); // past the stale window: the lookup drops it

        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
        WaitUntil(() => _cache.Census().Entries == 0);
        Assert.Empty(_cache.Inspect(Protocol.Names.DnsName.Parse("www.test")));
    }

    [Fact]
    public void Replacing_AnEntry_KeepsTheNewOneFlushable()
    {
        Store(Response(DnsResponseCode.NoError, [300]));
        Store(Response(DnsResponseCode.NoError, [600]));
        Thread.Sleep(50); // the replaced entry's callback must not take the new one out of the index

        Assert.Equal(600u, Assert.Single(_cache.Inspect(Protocol.Names.DnsName.Parse("www.test"))).Ttl);
        Assert.Equal(1, _cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("www.test") }).Removed);
        Assert.Equal(CacheLookupState.Miss, _cache.Lookup(Key()).State);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true within 10 s");
            Thread.Sleep(10);
        }
    }
}
