using System.Net;
using BenchmarkDotNet.Attributes;
using Resolver.Core.Pipeline;

namespace Resolver.Benchmarks.Pipeline;

/// <summary>
/// The miss path: a name never asked before through the real query processor, to a loopback upstream that
/// answers at once (<see cref="InstantUpstream"/>): scan, cache miss, the in-flight table, the upstream client's
/// UDP exchange, reading the answer into a cache entry, storing it, and writing the response. The time includes
/// the upstream's turn and two trips through the kernel's loopback; the allocations are the resolver's own.
/// </summary>
[MemoryDiagnoser]
public class MissBenchmarks : IDisposable
{
    private const int DigitsOffset = 14; // after the header, the first label's length and its "m"
    private const int Digits = 8;
    private readonly byte[] _query =
    [
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
        9, (byte)'m', .. "00000000"u8, 5, .. "bench"u8, 7, .. "example"u8, 0,
        0, 1, 0, 1,
    ];

    private readonly byte[] _output = new byte[1232];
    private InstantUpstream _upstream = null!;
    private ProcessorFixture _fixture = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _upstream = new InstantUpstream();
        _fixture = new ProcessorFixture(_upstream.EndPoint.ToString());
        if (Miss() == 0)
        {
            throw new InvalidOperationException("The miss was not answered.");
        }
    }

    [Benchmark(Description = "Cache miss answered by the upstream")]
    public int Miss()
    {
        var n = _next++;
        for (var i = Digits - 1; i >= 0; i--)
        {
            _query[DigitsOffset + i] = (byte)('0' + (n % 10));
            n /= 10;
        }

        var written = _fixture.Processor.ProcessAsync(_query, _output, IPAddress.Loopback, DnsTransport.Udp).AsTask().GetAwaiter().GetResult();
        return (_output[3] & 0x0F) == 0 ? written : 0;
    }

    public void Dispose()
    {
        _fixture.Dispose();
        _upstream.Dispose();
        GC.SuppressFinalize(this);
    }
}
