using BenchmarkDotNet.Attributes;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Scanning;

namespace Resolver.Benchmarks.Protocol;

/// <summary>The hot-path scans against the full decode they replace (the baseline).</summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private readonly byte[] _query = SampleMessages.QueryBytes;
    private readonly byte[] _response = SampleMessages.ResponseBytes;
    private readonly byte[] _nameBuffer = new byte[255];
    private readonly ScannedRecord[] _records = new ScannedRecord[64];
    private readonly byte[] _output = new byte[1232];

    [Benchmark(Baseline = true, Description = "Parse response (full decode, 10 RRs)")]
    public DnsMessage ParseResponse() => DnsMessage.Parse(_response);

    [Benchmark(Description = "Scan query (header + question + OPT)")]
    public int ScanQuery()
    {
        MessageScanner.ScanQuery(_query, _nameBuffer, out var scan);
        return scan.NameLength;
    }

    [Benchmark(Description = "Scan response (locate 10 RRs and TTLs)")]
    public int ScanResponse()
    {
        MessageScanner.ScanResponse(_response, _records, out var scan);
        return scan.RecordCount;
    }

    [Benchmark(Description = "Write response (compressed, 10 RRs)")]
    public int WriteResponse()
    {
        SampleMessages.Response.TryWrite(_output, out var written);
        return written;
    }
}
