using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;

namespace Resolver.Benchmarks.Cache;

/// <summary>
/// The cache snapshot at full size (issue 7 §6: 1M entries must load in under 2 s, since start-up waits
/// for it). Load reads the file into an empty cache, as at start: CRC, bounds checks and a MessageScanner
/// pass per entry, then the MemoryCache insert. Save writes the file atomically (temporary file, fsync,
/// rename), as every Cache:SnapshotInterval and at a graceful stop. Server GC, as the resolver runs
/// (Microsoft.NET.Sdk.Web turns it on): with workstation GC the million retained objects cost many more
/// collections than in production.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
public class SnapshotBenchmarks : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-snapshot-bench-").FullName;
    private CacheOptions _options = null!;
    private DnsCache _source = null!;
    private DnsCache? _target;

    [Params(1_000_000)]
    public int Entries { get; set; }

    private string LoadPath => Path.Combine(_directory, "load.snapshot");

    private string SavePath => Path.Combine(_directory, "save.snapshot");

    [GlobalSetup]
    public void Setup()
    {
        _options = new CacheOptions { MaxEntries = 2 * Entries, MaxBytes = 8L << 30 }; // room for all: the benchmark is about the file, not eviction
        _source = new DnsCache(new FixedOptions<CacheOptions>(_options), TimeProvider.System, NullLogger<DnsCache>.Instance);
        var upstreams = new[] { "9.9.9.9:53/udp", "1.1.1.1:853/tls" };
        for (var i = 0; i < Entries; i++)
        {
            _source.Restore(CachedAnswers.A($"host{i}.zone{i % 1000}.example.", upstreams[i % 2], addresses: 2));
        }

        if (CacheSnapshot.Save(LoadPath, _source) != Entries)
        {
            throw new InvalidOperationException($"The source cache kept fewer than {Entries} entries: raise its bounds.");
        }
    }

    [IterationSetup(Target = nameof(Load))]
    public void EmptyTarget()
    {
        _target?.Dispose();
        _target = new DnsCache(new FixedOptions<CacheOptions>(_options), TimeProvider.System, NullLogger<DnsCache>.Instance);
    }

    [Benchmark(Description = "Load a snapshot into an empty cache")]
    public int Load() => CacheSnapshot.Load(LoadPath, _target!).Restored;

    [Benchmark(Description = "Save the cache (temporary file, fsync, rename)")]
    public int Save() => CacheSnapshot.Save(SavePath, _source);

    public void Dispose()
    {
        _source.Dispose();
        _target?.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
