using System.Net;
using BenchmarkDotNet.Attributes;
using Resolver.Benchmarks.Protocol;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
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
    private ProcessorFixture _fixture = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new ProcessorFixture("127.0.0.1:9");
        var key = CacheKey.Create(DnsName.Parse("www.example.com").Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        var entry = CacheEntryFactory.Create(key, SampleMessages.ResponseBytes, "bench", _fixture.Cache.Options, TimeProvider.System.GetTimestamp())!;
        _fixture.Cache.Store(entry, _fixture.Cache.Generation);
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
    public int Answer() => _fixture.Processor.ProcessAsync(_query, _output, IPAddress.Loopback, DnsTransport.Udp).Result;

    public void Dispose()
    {
        _fixture.Dispose();
        GC.SuppressFinalize(this);
    }
}
