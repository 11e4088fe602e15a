using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

public sealed class CacheSnapshotTests : IDisposable
{
    private const int HeaderLength = 24;
    private static readonly DateTimeOffset s_start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly BootClock _time = new(s_start);
    private readonly CacheOptions _options = new() { MaxStale = TimeSpan.FromHours(1), ServFailTtl = TimeSpan.FromMinutes(10), NxDomainCut = NxDomainCut.Always };
    private readonly DnsCache _cache;
    private readonly List<DnsCache> _loaded = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-snapshot-").FullName;

    public CacheSnapshotTests()
    {
        _cache = NewCache(_time, _options);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _loaded.ForEach(c => c.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void RoundTrip_RestoresEveryField_WithTheTtlLeftFromAbsoluteTime()
    {
        var stored = StoreSamples();
        _time.Advance(TimeSpan.FromSeconds(100));
        var bytes = Snapshot();

        // A restart 50 s later: a new process whose monotonic clock starts again from zero.
        var restarted = new BootClock(s_start + TimeSpan.FromSeconds(150));
        var (cache, report) = Load(bytes, restarted);

        Assert.Equal(CacheSnapshotProblem.None, report.Problem);
        Assert.Equal(stored.Count, report.Restored);
        Assert.Equal(s_start + TimeSpan.FromSeconds(100), report.SavedAt);
        foreach (var original in stored)
        {
            var lookup = cache.Lookup(original.Key);
            Assert.Equal(CacheLookupState.Fresh, lookup.State);
            var entry = lookup.Entry!;
            Assert.Equal(original.Key, entry.Key);
            Assert.Equal(original.Key.IsNameError, entry.Key.IsNameError);
            Assert.Equal(original.Key.Flags, entry.Key.Flags);
            Assert.Equal(original.Kind, entry.Kind);
            Assert.Equal(original.Response, entry.Response);
            Assert.Equal(original.TtlSlots, entry.TtlSlots);
            Assert.Equal(original.Ttl, entry.Ttl);
            Assert.Equal(original.Upstream, entry.Upstream);
            Assert.Equal(original.CutsSubtree, entry.CutsSubtree);
            Assert.Equal(TimeSpan.FromSeconds(150), entry.Age(restarted));
            Assert.Equal(original.Ttl - 150, entry.RemainingTtl(restarted));
        }

        // The NXDOMAIN is back under its name-error key, cutting its subtree again (RFC 8020).
        Assert.Contains(stored, e => e.CutsSubtree);
        Assert.Equal(CacheEntryKind.NxDomain, cache.Lookup(Key("a.b.gone.test")).Entry?.Kind);
    }

    [Theory]
    [InlineData(NxDomainCut.Always, true)]
    [InlineData(NxDomainCut.Validated, false)] // the stored answer had AD=0
    [InlineData(NxDomainCut.Off, false)]
    public void NxDomainCut_IsKeptOnlyWhereTheCurrentSettingAllowsIt(NxDomainCut setting, bool cuts)
    {
        Store(Key("gone.test"), Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test"));
        var options = new CacheOptions { MaxStale = TimeSpan.FromHours(1), NxDomainCut = setting };

        var (cache, report) = Load(Snapshot(), _time, options);

        Assert.Equal(1, report.Restored);
        Assert.Equal(cuts, cache.Lookup(Key("gone.test").ForNameError()).Entry!.CutsSubtree);
        Assert.Equal(cuts, cache.Lookup(Key("www.gone.test")).State != CacheLookupState.Miss);
    }

    [Fact]
    public void ExpiredWithinMaxStale_ComesBackStale()
    {
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        var bytes = Snapshot();

        var (cache, report) = Load(bytes, new BootClock(s_start + TimeSpan.FromSeconds(400)));

        Assert.Equal(1, report.Restored);
        var lookup = cache.Lookup(Key());
        Assert.Equal(CacheLookupState.Stale, lookup.State);
        Assert.Same(lookup.Entry, cache.FindStale(Key()));
    }

    [Theory]
    [InlineData(true, 300 + 3600 - 1, 1)]
    [InlineData(true, 300 + 3600, 0)]
    [InlineData(false, 299, 1)]
    [InlineData(false, 300, 0)]
    public void EntriesPastTheStaleWindow_AreNotRestored(bool serveStale, int secondsLater, int restored)
    {
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        var bytes = Snapshot();
        var options = new CacheOptions { ServeStale = serveStale, MaxStale = TimeSpan.FromHours(1) };

        var (cache, report) = Load(bytes, new BootClock(s_start + TimeSpan.FromSeconds(secondsLater)), options);

        Assert.Equal(CacheSnapshotProblem.None, report.Problem);
        Assert.Equal(restored, report.Restored);
        Assert.Equal(1 - restored, report.Expired);
        Assert.Equal(restored, cache.Count);
    }

    [Fact]
    public void Save_LeavesOutEntriesAlreadyPastTheirWindow()
    {
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        Store(Key("short.test"), Response(DnsResponseCode.NoError, [10], name: "short.test"));
        _time.Advance(TimeSpan.FromSeconds(10 + 3600));

        var (cache, report) = Load(Snapshot(), _time);

        Assert.Equal(1, report.Restored);
        Assert.Equal(0, report.Expired); // never written
        Assert.Equal(CacheLookupState.Miss, cache.Lookup(Key("short.test")).State);
    }

    [Fact]
    public void TruncatedAtAnyByte_KeepsOnlyTheIntactEntriesBeforeTheCut()
    {
        var stored = StoreSamples();
        var bytes = Snapshot();
        var previous = 0;

        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var (cache, report) = Load(bytes[..cut], _time);

            Assert.Equal(CacheSnapshotProblem.Truncated, report.Problem);
            Assert.InRange(report.Restored, previous, stored.Count);
            AssertOnlyOriginals(cache, stored);
            previous = report.Restored;
            cache.Dispose();
            _loaded.Remove(cache);
        }

        Assert.Equal(stored.Count, previous); // a cut in the trailer keeps every entry
    }

    [Fact]
    public void AnyFlippedBit_IsDetected_AndNothingAlteredIsRestored()
    {
        var stored = StoreSamples();
        var bytes = Snapshot();

        for (var i = 0; i < bytes.Length; i++)
        {
            var mutated = bytes.ToArray();
            mutated[i] ^= (byte)(1 << (i % 8));

            var (cache, report) = Load(mutated, _time);

            Assert.NotEqual(CacheSnapshotProblem.None, report.Problem);
            AssertOnlyOriginals(cache, stored);
            cache.Dispose();
            _loaded.Remove(cache);
        }
    }

    [Fact]
    public void WrongMagic_IsIgnoredWhole()
    {
        StoreSamples();
        var bytes = Snapshot();
        bytes[0] = (byte)'X';

        var (cache, report) = Load(bytes, _time);

        Assert.Equal(CacheSnapshotProblem.NotASnapshot, report.Problem);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void OtherFormatVersion_IsIgnoredWhole()
    {
        StoreSamples();
        var bytes = Snapshot();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), CacheSnapshot.FormatVersion + 1);
        FixHeaderChecksum(bytes);

        var (cache, report) = Load(bytes, _time);

        Assert.Equal(CacheSnapshotProblem.UnsupportedVersion, report.Problem);
        Assert.Equal(CacheSnapshot.FormatVersion + 1, report.Version);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void EntryWithAFlagOfANewerVersion_IsSkipped_AndTheRestIsRead()
    {
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        Store(Key("mail.test"), Response(DnsResponseCode.NoError, [300], name: "mail.test"));
        var bytes = Snapshot();
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(HeaderLength));
        var body = bytes.AsSpan(HeaderLength + 4, length);
        body[0] |= 0x80;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderLength + 4 + length), Crc32.HashToUInt32(body));

        var (cache, report) = Load(bytes, _time);

        Assert.Equal(CacheSnapshotProblem.None, report.Problem);
        Assert.Equal(1, report.Unsupported);
        Assert.Equal(1, report.Restored);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void EntriesWhoseChecksumHoldsButWhoseContentsDoNot_AreNotRestored()
    {
        var good = Store(Key(), Response(DnsResponseCode.NoError, [300]));
        var response = good.Response.ToArray();
        int[] offsets = [.. good.TtlSlots.Select(s => s.Offset)];
        var higher = response.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(higher.AsSpan(offsets[0]), good.Ttl + 1);
        var now = _time.GetTimestamp();
        CacheEntry[] bad =
        [
            CacheEntry.Create(good.Key, good.Kind, response, [4], 300, now, null), // one offset, but into the header
            CacheEntry.Create(good.Key, good.Kind, response, [.. offsets.Select(o => o + 1)], good.Ttl, now, null), // off by one
            CacheEntry.Create(good.Key, good.Kind, response, [], good.Ttl, now, null), // a record without its offset
            CacheEntry.Create(good.Key, good.Kind, response[..^3], [4], good.Ttl, now, null), // response cut short
            CacheEntry.Create(Key("other.test"), good.Kind, response, offsets, good.Ttl, now, null), // question is not the key's
            CacheEntry.Create(Key("www.test", DnsRecordType.AAAA), good.Kind, response, offsets, good.Ttl, now, null), // nor its type
            CacheEntry.Create(good.Key, CacheEntryKind.NxDomain, response, offsets, good.Ttl, now, null), // NOERROR stored as NXDOMAIN
            CacheEntry.Create(good.Key, good.Kind, higher, offsets, good.Ttl, now, null), // record TTL above the entry's
        ];
        using var stream = new MemoryStream();
        CacheSnapshot.Write(stream, [.. bad, good], _time);

        var (cache, report) = Load(stream.ToArray(), _time);

        Assert.Equal(CacheSnapshotProblem.None, report.Problem);
        Assert.Equal(bad.Length, report.Invalid);
        Assert.Equal(1, report.Restored);
        Assert.Equal(good.TtlSlots, cache.Lookup(Key()).Entry!.TtlSlots);
    }

    [Fact]
    public void ManyEntries_AllComeBack_AndACutKeepsTheOnesBeforeIt()
    {
        // More entries than one decoding batch, so the decoding and inserting threads hand over several times.
        const int count = 5000;
        for (var i = 0; i < count; i++)
        {
            Store(Key($"host{i:D5}.test"), Response(DnsResponseCode.NoError, [300], name: $"host{i:D5}.test")); // all the same size
        }

        var bytes = Snapshot();
        var (cache, report) = Load(bytes, _time);
        var (cut, truncated) = Load(bytes[..(bytes.Length * 3 / 5)], _time);

        Assert.Equal(CacheSnapshotProblem.None, report.Problem);
        Assert.Equal(count, report.Restored);
        Assert.Equal(count, cache.Count);
        Assert.Equal(CacheSnapshotProblem.Truncated, truncated.Problem);
        Assert.InRange(truncated.Restored, (count * 3 / 5) - 2, count * 3 / 5);
        Assert.Equal(truncated.Restored, cut.Count);
    }

    [Fact]
    public void MoreEntriesThanMaxEntries_FillTheCacheAndStop()
    {
        StoreSamples();
        // Room for 2 of the 4: restoring stops short of the 90 % mark where eviction would start.
        var options = new CacheOptions { MaxEntries = 3, MaxStale = TimeSpan.FromHours(1), ServFailTtl = TimeSpan.FromMinutes(10) };

        var (cache, report) = Load(Snapshot(), _time, options);

        Assert.Equal(2, report.Restored);
        Assert.Equal(2, report.OverCapacity);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Save_IsAtomic_LeavingOnlyTheSnapshot_AndReplacesThePreviousOne()
    {
        var path = Path.Combine(_directory, "state", "cache.snapshot");
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        Assert.Equal(1, CacheSnapshot.Save(path, _cache));
        Store(Key("mail.test"), Response(DnsResponseCode.NoError, [300], name: "mail.test"));

        Assert.Equal(2, CacheSnapshot.Save(path, _cache));

        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var cache = NewCache(_time, _options);
        _loaded.Add(cache);
        Assert.Equal(2, CacheSnapshot.Load(path, cache).Restored);
    }

    [Fact]
    public void FailedSave_KeepsThePreviousSnapshot()
    {
        var path = Path.Combine(_directory, "cache.snapshot");
        Store(Key(), Response(DnsResponseCode.NoError, [300]));
        CacheSnapshot.Save(path, _cache);
        var before = File.ReadAllBytes(path);
        Directory.CreateDirectory(path + ".tmp"); // the temporary file cannot be created
        Store(Key("mail.test"), Response(DnsResponseCode.NoError, [300], name: "mail.test"));

        var error = Assert.ThrowsAny<Exception>(() => CacheSnapshot.Save(path, _cache));

        Assert.True(error is IOException or UnauthorizedAccessException, error.ToString());
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void MissingFile_IsReportedAsMissing()
    {
        var report = CacheSnapshot.Load(Path.Combine(_directory, "absent"), _cache);

        Assert.Equal(CacheSnapshotProblem.Missing, report.Problem);
    }

    /// <summary>A positive answer (with the DO bit), an NXDOMAIN, a NODATA and a SERVFAIL, each with the fields that make it differ.</summary>
    private List<CacheEntry> StoreSamples()
    {
        var question = Response(DnsResponseCode.NoError, [], name: "fail.test");
        var failKey = Key("fail.test");
        var servFail = CacheEntryFactory.CreateServFail(failKey, question.AsSpan(DnsHeader.Size, failKey.Name.Length + 4), _options, _time.GetTimestamp());
        Assert.True(_cache.Store(servFail, _cache.Generation));
        return
        [
            Store(CacheKey.Create(Www.Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.DnssecOk), Response(DnsResponseCode.NoError, [300, 600])),
            Store(Key("gone.test"), Response(DnsResponseCode.NXDomain, [], 3600, 300, name: "gone.test"), upstream: "192.0.2.2:853/tls"),
            Store(Key("nodata.test"), Response(DnsResponseCode.NoError, [], 3600, 200, name: "nodata.test")),
            servFail,
        ];
    }

    private CacheEntry Store(CacheKey key, byte[] response, string? upstream = "192.0.2.1:53/udp")
    {
        var entry = CacheEntryFactory.Create(key, response, upstream, _options, _time.GetTimestamp())!;
        Assert.True(_cache.Store(entry, _cache.Generation));
        return entry;
    }

    private byte[] Snapshot()
    {
        using var stream = new MemoryStream();
        CacheSnapshot.Write(stream, _cache.SnapshotEntries(), _time);
        return stream.ToArray();
    }

    private (DnsCache Cache, CacheSnapshotReport Report) Load(byte[] bytes, TimeProvider time, CacheOptions? options = null)
    {
        var cache = NewCache(time, options ?? _options);
        _loaded.Add(cache);
        using var stream = new MemoryStream(bytes);
        return (cache, CacheSnapshot.Read(stream, cache));
    }

    private static DnsCache NewCache(TimeProvider time, CacheOptions options) => new(new TestOptions<CacheOptions>(options), time, NullLogger<DnsCache>.Instance);

    private static void AssertOnlyOriginals(DnsCache cache, List<CacheEntry> stored)
    {
        foreach (var original in stored)
        {
            if (cache.Lookup(original.Key).Entry is { } entry)
            {
                Assert.Equal(original.Response, entry.Response);
                Assert.Equal(original.TtlSlots, entry.TtlSlots);
                Assert.Equal(original.Ttl, entry.Ttl);
                Assert.Equal(original.Kind, entry.Kind);
            }
        }

        Assert.True(cache.Count <= stored.Count);
    }

    private static void FixHeaderChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), Crc32.HashToUInt32(bytes.AsSpan(0, 20)));

    /// <summary>
    /// A fake clock whose timestamps count nanoseconds since its own start, like Stopwatch on Linux: a
    /// snapshot that kept raw timestamps (instead of wall-clock times) would come back wrongly aged.
    /// </summary>
    private sealed class BootClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly DateTimeOffset _boot = start;

        public override long TimestampFrequency => 1_000_000_000;

        public override long GetTimestamp() => (GetUtcNow() - _boot).Ticks * 100;
    }
}
