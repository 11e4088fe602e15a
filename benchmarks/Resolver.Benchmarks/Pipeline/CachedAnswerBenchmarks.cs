using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Resolver.Benchmarks.Protocol;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Benchmarks.Pipeline;

/// <summary>
/// The hot path: one cached answer through the real query processor (scan, access control, local
/// zone check, cache lookup, copy and patch). The baseline is the codec's query scan alone.
/// </summary>
[MemoryDiagnoser]
public class CachedAnswerBenchmarks : IDisposable
{
    private readonly byte[] _query = SampleMessages.QueryBytes;
    private readonly byte[] _output = new byte[1232];
    private readonly byte[] _name = new byte[255];
    private DnsCache _cache = null!;
    private ResolverMetrics _metrics = null!;
    private UpstreamClient _client = null!;
    private QueryProcessor _processor = null!;

    [GlobalSetup]
    public void Setup()
    {
        var server = new DnsServerOptions();
        server.ApplyDefaults();
        var upstreamOptions = new UpstreamOptions { Servers = [new UpstreamServerOptions { Address = "127.0.0.1:9" }] };
        _metrics = new ResolverMetrics();
        _cache = new DnsCache(new FixedOptions<CacheOptions>(new CacheOptions()), TimeProvider.System, NullLogger<DnsCache>.Instance);
        var registry = new UpstreamRegistry(Options.Create(upstreamOptions), TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);
        _client = new UpstreamClient(registry, new FixedOptions<UpstreamOptions>(upstreamOptions), TimeProvider.System, _metrics, NullLogger<UpstreamClient>.Instance);
        _processor = new QueryProcessor(
            _cache, _client, new AccessControl(Options.Create(server)), new LocalZone(Options.Create(server)), new FixedOptions<DnsServerOptions>(server), _metrics, new Lifetime(), NullLogger<QueryProcessor>.Instance);

        var key = CacheKey.Create(DnsName.Parse("www.example.com").Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        var entry = CacheEntryFactory.Create(key, SampleMessages.ResponseBytes, "bench", _cache.Options, TimeProvider.System.GetTimestamp())!;
        _cache.Store(entry, _cache.Generation);
        if (Answer() == 0)
        {
            throw new InvalidOperationException("The cached answer was not served.");
        }
    }

    [Benchmark(Baseline = true, Description = "Scan query only")]
    public int Scan()
    {
        Resolver.Protocol.Scanning.MessageScanner.ScanQuery(_query, _name, out var scan);
        return scan.NameLength;
    }

    [Benchmark(Description = "Cached answer through QueryProcessor")]
    public int Answer() => _processor.ProcessAsync(_query, _output, IPAddress.Loopback, DnsTransport.Udp).Result;

    public void Dispose()
    {
        _cache.Dispose();
        _client.Dispose();
        _metrics.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
