using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;

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
            var entry = CachedAnswers.A($"host{i}.zone{i % 1000}.example.", options: options);
            arrays += entry.Footprint - CacheEntry.EntryOverhead;
            cache.Store(entry, cache.Generation);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perEntry = (double)(after - before) / Entries;
        var perArrays = (double)arrays / Entries;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Entries} entries: {perEntry:0} bytes retained each, of which arrays (answer, TTL table, name) {perArrays:0}; overhead {perEntry - perArrays:0} (EntryOverhead is {CacheEntry.EntryOverhead})"));
        GC.KeepAlive(cache);
    }
}
