using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

[CollectionDefinition(nameof(CacheBoundTests), DisableParallelization = true)]
public sealed class CacheBoundCollection;

/// <summary>
/// Cache:MaxBytes bounds what the cache holds by real footprint, whatever the size of the answers. Run
/// alone (no other test allocating meanwhile), since it reads the managed heap.
/// </summary>
[Collection(nameof(CacheBoundTests))]
public sealed class CacheBoundTests
{
    private const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>What the heap may hold beyond MaxBytes: the cache's own structures (index, dictionaries) and the test's.</summary>
    private const long Slack = 16L * 1024 * 1024;

    [Fact]
    public void TenKilobyteAnswersForFiftyThousandNames_StayWithinMaxBytes_AndTheNewestAreCached()
    {
        var options = new CacheOptions { MaxBytes = MaxBytes };
        var time = new ManualTimeProvider();
        var response = LargeResponse(); // the same ~10 KB answer for every random name, as a wildcard would give
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var cache = new DnsCache(new TestOptions<CacheOptions>(options), time, NullLogger<DnsCache>.Instance);

        var stored = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var name = $"r{i}.wild.test";
            if (cache.Store(CacheEntryFactory.Create(Key(name, DnsRecordType.TXT), response, "u", options, time.GetTimestamp())!, cache.Generation))
            {
                stored++;
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((cache.Bytes > MaxBytes * 0.9 || cache.Census().Entries != cache.Count) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10); // the last eviction runs on the thread pool
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown <= MaxBytes + Slack, $"the heap grew by {grown / 1024 / 1024} MiB");
        Assert.True(cache.Bytes <= MaxBytes, $"{cache.Bytes} bytes cached");
        var counts = $"{stored} stored, {cache.Refusals} refused, {cache.Evictions} evicted, {cache.Count} cached";
        Assert.True(stored >= 49_500 && cache.Refusals == 50_000 - stored, counts); // eviction keeps ahead
        Assert.True(cache.Evictions >= stored - cache.Count, counts);
        Assert.Equal(CacheLookupState.Fresh, cache.Lookup(Key("r49999.wild.test", DnsRecordType.TXT)).State); // the newest stay
        GC.KeepAlive(cache);
    }

    [Fact]
    public void AnAnswerLargerThanMaxBytes_IsRefused_AndCounted()
    {
        var options = new CacheOptions { MaxBytes = 1024 * 1024, MinTtl = TimeSpan.Zero };
        var time = new ManualTimeProvider();
        using var cache = new DnsCache(new TestOptions<CacheOptions>(options), time, NullLogger<DnsCache>.Instance);
        var small = CacheEntryFactory.Create(Key("small.test"), Response(DnsResponseCode.NoError, [300], name: "small.test"), "u", options, 0)!;
        var huge = new CacheEntry(Key("huge.test"), CacheEntryKind.Positive, new byte[2 * 1024 * 1024], 2 * 1024 * 1024, 300, 0, "u");

        Assert.True(cache.Store(small, cache.Generation));
        Assert.False(cache.Store(huge, cache.Generation));

        Assert.Equal(1, cache.Refusals);
        Assert.Equal(0, cache.Evictions);
        Assert.Equal(small.Footprint, cache.Bytes);
        Assert.Single(cache.Inspect(DnsName.Parse("small.test")));
        Assert.Empty(cache.Inspect(DnsName.Parse("huge.test")));
    }

    [Fact]
    public void MaxEntries_IsASecondBound()
    {
        var options = new CacheOptions { MaxEntries = 1000 };
        var time = new ManualTimeProvider();
        using var cache = new DnsCache(new TestOptions<CacheOptions>(options), time, NullLogger<DnsCache>.Instance);

        for (var i = 0; i < 5000; i++)
        {
            cache.Store(CacheEntryFactory.Create(Key($"n{i}.test"), Response(DnsResponseCode.NoError, [300], name: $"n{i}.test"), "u", options, 0)!, cache.Generation);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((cache.Count > 1000 || cache.Census().Entries != cache.Count) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.InRange(cache.Count, 700, 1000); // evicted down to 80 %, not much further
        Assert.Equal(cache.Count, cache.Census().Entries);
    }

    [Fact]
    public void Eviction_TakesTheOldest_ButGivesEntriesAnsweredFromASecondChance()
    {
        var options = new CacheOptions { MaxEntries = 100 };
        var time = new ManualTimeProvider();
        using var cache = new DnsCache(new TestOptions<CacheOptions>(options), time, NullLogger<DnsCache>.Instance);
        for (var i = 0; i < 95; i++)
        {
            var entry = CacheEntryFactory.Create(Key($"n{i}.test"), Response(DnsResponseCode.NoError, [300], name: $"n{i}.test"), "u", options, time.GetTimestamp())!;
            cache.Store(entry, cache.Generation);
            if (i == 0)
            {
                entry.RecordHit(); // the oldest, but answered from
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (cache.Evictions == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10); // past 90 %, eviction runs in the background (down to 80 % of what was there)
        }

        Thread.Sleep(100);
        var left = cache.Census().Entries;
        Assert.InRange(left, 80, 90);
        Assert.Equal(95 - left, cache.Evictions);
        Assert.Equal(CacheLookupState.Fresh, cache.Lookup(Key("n0.test")).State);
        Assert.Equal(CacheLookupState.Miss, cache.Lookup(Key("n1.test")).State); // the oldest not answered from
        Assert.Equal(CacheLookupState.Fresh, cache.Lookup(Key("n94.test")).State);
    }

    /// <summary>A TXT answer of about 10 KB: 40 records of 250 bytes.</summary>
    private static byte[] LargeResponse()
    {
        var owner = DnsName.Parse("wild.test");
        var message = new DnsMessage { Id = 1, IsResponse = true };
        message.Questions.Add(new DnsQuestion(owner, DnsRecordType.TXT));
        for (var i = 0; i < 40; i++)
        {
            message.Answers.Add(new DnsResourceRecord(owner, 300, new TxtData(new string((char)('a' + (i % 26)), 250))));
        }

        var buffer = new byte[16 * 1024];
        Assert.True(message.TryWrite(buffer, out var written));
        Assert.InRange(written, 10_000, 11_000);
        return buffer[..written];
    }
}
