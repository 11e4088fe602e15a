using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Benchmarks.Cache;

/// <summary>
/// Managed memory retained per cached entry: fills a fresh cache with 200k distinct A answers (as an
/// upstream sends them, ~85 bytes on the wire) and reads the heap before and after, collected. The part
/// beyond the entry's own arrays is what <see cref="CacheEntry.EntryOverhead"/> must cover.
/// Run: dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --entry-footprint
/// </summary>
internal static class EntryFootprint
{
    public const string Switch = "--entry-footprint";
    private const int Entries = 200_000;

    public static void Run(TextWriter output)
    {
        var options = new CacheOptions { MaxBytes = 8L << 30, MaxEntries = 2 * Entries };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var cache = new DnsCache(new FixedOptions<CacheOptions>(options), TimeProvider.System, NullLogger<DnsCache>.Instance);
        long arrays = 0;
        for (var i = 0; i < Entries; i++)
        {
            var entry = Entry($"host{i}.zone{i % 1000}.example.", options);
            arrays += entry.Footprint - CacheEntry.EntryOverhead;
            cache.Store(entry, cache.Generation);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perEntry = (double)(after - before) / Entries;
        var perArrays = (double)arrays / Entries;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Entries} entries: {perEntry:0} bytes retained each, of which arrays (answer, TTL table, name) {perArrays:0}; overhead {perEntry - perArrays:0} (EntryOverhead is {CacheEntry.EntryOverhead})"));
        GC.KeepAlive(cache);
    }

    private static CacheEntry Entry(string name, CacheOptions options)
    {
        var owner = DnsName.Parse(name);
        var response = new DnsMessage { IsResponse = true, RecursionDesired = true, RecursionAvailable = true, Edns = new EdnsRecord() };
        response.Questions.Add(new DnsQuestion(owner, DnsRecordType.A));
        response.Answers.Add(new DnsResourceRecord(owner, 3600, new AData(IPAddress.Parse("192.0.2.1"))));
        var buffer = new byte[512];
        response.TryWrite(buffer, out var written);
        var key = CacheKey.Create(owner.Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        return CacheEntryFactory.Create(key, buffer.AsSpan(0, written), "127.0.0.1:53/udp", options, TimeProvider.System.GetTimestamp())!;
    }
}
