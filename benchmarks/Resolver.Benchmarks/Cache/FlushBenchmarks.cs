using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Protocol.Names;

namespace Resolver.Benchmarks.Cache;

/// <summary>
/// Flushes over a cache of 1M names (1,000 zones of 1,000 hosts) cost what they touch (issue 7 targets:
/// one name &lt; 10 µs, a 10-name subtree &lt; 50 µs, a 100k-name subtree &lt; 50 ms). The flushed names are
/// stored again, as new entries, before each iteration (not timed); the small flushes run many to an iteration.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 2, iterationCount: 10)]
public class FlushBenchmarks : IDisposable
{
    private const int Entries = 1_000_000;
    private const int SmallFlushes = 200;
    private const int LargeSubtree = 100_000;

    private DnsCache _cache = null!;
    private string[] _singles = null!;
    private string[] _smallSubtrees = null!;
    private string[] _largeSubtree = null!;
    private FlushScope[] _singleScopes = null!;
    private FlushScope[] _smallScopes = null!;
    private FlushScope _largeScope = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cache = new DnsCache(new FixedOptions<CacheOptions>(new CacheOptions { MaxEntries = 2 * Entries, MaxBytes = 8L << 30 }), TimeProvider.System, NullLogger<DnsCache>.Instance);
        for (var i = 0; i < Entries; i++)
        {
            _cache.Store(CachedAnswers.A($"host{i}.zone{i % 1000}.example."), _cache.Generation);
        }

        _singles = [.. Enumerable.Range(0, SmallFlushes).Select(i => $"www.single{i}.example.")];
        _singleScopes = [.. _singles.Select(name => new FlushScope { Name = DnsName.Parse(name) })];
        _smallSubtrees = [.. Enumerable.Range(0, SmallFlushes * 10).Select(i => $"h{i % 10}.small{i / 10}.example.")];
        _smallScopes = [.. Enumerable.Range(0, SmallFlushes).Select(i => new FlushScope { Name = DnsName.Parse($"small{i}.example."), Subtree = true })];
        _largeSubtree = [.. Enumerable.Range(0, LargeSubtree).Select(i => $"h{i}.large.example.")];
        _largeScope = new FlushScope { Name = DnsName.Parse("large.example."), Subtree = true };
    }

    [IterationSetup(Target = nameof(FlushName))]
    public void StoreSingles() => StoreAll(_singles);

    [IterationSetup(Target = nameof(FlushSmallSubtree))]
    public void StoreSmallSubtrees() => StoreAll(_smallSubtrees);

    [IterationSetup(Target = nameof(FlushLargeSubtree))]
    public void StoreLargeSubtree() => StoreAll(_largeSubtree);

    [Benchmark(Description = "Flush one name (1M cached)", OperationsPerInvoke = SmallFlushes)]
    public int FlushName()
    {
        var removed = 0;
        foreach (var scope in _singleScopes)
        {
            removed += _cache.Flush(scope).Removed;
        }

        return Check(removed, SmallFlushes);
    }

    [Benchmark(Description = "Flush a 10-name subtree (1M cached)", OperationsPerInvoke = SmallFlushes)]
    public int FlushSmallSubtree()
    {
        var removed = 0;
        foreach (var scope in _smallScopes)
        {
            removed += _cache.Flush(scope).Removed;
        }

        return Check(removed, SmallFlushes * 10);
    }

    [Benchmark(Description = "Flush a 100k-name subtree (1M cached)")]
    public int FlushLargeSubtree() => Check(_cache.Flush(_largeScope).Removed, LargeSubtree);

    public void Dispose()
    {
        _cache.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A flush that removed less than was stored measured nothing: fail loudly.</summary>
    private static int Check(int removed, int expected) =>
        removed == expected ? removed : throw new InvalidOperationException($"Removed {removed}, expected {expected}.");

    /// <summary>New entries each time, as upstream answers are: the index tells entries apart by identity.</summary>
    private void StoreAll(string[] names)
    {
        foreach (var name in names)
        {
            _cache.Store(CachedAnswers.A(name), _cache.Generation);
        }
    }
}
