using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

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
            // Restore, not Store: Store's capacity checks count MemoryCache's entries, which takes every lock of
            // its dictionary, so filling a million entries through it takes about a minute here.
            _source.Restore(Entry($"host{i}.zone{i % 1000}.example.", upstreams[i % 2]));
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

    /// <summary>A typical positive answer: two A records, TTL 3600.</summary>
    private static CacheEntry Entry(string name, string upstream)
    {
        var owner = DnsName.Parse(name);
        var response = new DnsMessage { IsResponse = true, Edns = new EdnsRecord() };
        response.Questions.Add(new DnsQuestion(owner, DnsRecordType.A));
        response.Answers.Add(new DnsResourceRecord(owner, 3600, new AData(IPAddress.Parse("192.0.2.1"))));
        response.Answers.Add(new DnsResourceRecord(owner, 3600, new AData(IPAddress.Parse("192.0.2.2"))));
        var buffer = new byte[512];
        response.TryWrite(buffer, out var written);
        var key = CacheKey.Create(owner.Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        return CacheEntryFactory.Create(key, buffer.AsSpan(0, written), upstream, new CacheOptions(), TimeProvider.System.GetTimestamp())!;
    }
}
