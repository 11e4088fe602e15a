using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

/// <summary>The snapshot's life in a process: loaded at start, saved on a timer and at a graceful stop, never fatal.</summary>
public sealed class CacheSnapshotServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-snapshot-service-").FullName;
    private readonly List<IDisposable> _disposables = [];

    private string SnapshotPath => Path.Combine(_directory, "cache.snapshot");

    public void Dispose()
    {
        _disposables.ForEach(d => d.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GracefulStop_Saves_AndTheNextStart_Restores()
    {
        var first = await StartAsync();
        Assert.Contains(first.Log.Lines, l => l.EventId == 111); // no snapshot yet
        Store(first.Cache, "www.test");
        Store(first.Cache, "mail.test");

        await first.Service.StopAsync(CancellationToken.None);
        var second = await StartAsync();

        Assert.Contains(first.Log.Lines, l => l.EventId == 115 && l.Level == LogLevel.Information);
        Assert.Equal(2, second.Cache.Count);
        Assert.Equal(CacheLookupState.Fresh, second.Cache.Lookup(Key("mail.test")).State);
        Assert.Contains(second.Log.Lines, l => l.EventId == 110 && l.Message.StartsWith("Restored 2 cache entries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhileRunning_SavesEveryInterval()
    {
        var (cache, service, log) = await StartAsync();
        Store(cache, "www.test");
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(File.Exists(SnapshotPath));

        _time.Advance(TimeSpan.FromMinutes(1));

        await WaitUntilAsync(() => log.Lines.Any(l => l.EventId == 115));
        Assert.True(File.Exists(SnapshotPath));
        Assert.Equal(LogLevel.Debug, log.Lines.Single(l => l.EventId == 115).Level);
        await service.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData("truncated", 112)]
    [InlineData("flipped", 112)]
    [InlineData("foreign", 113)]
    [InlineData("version", 113)]
    public async Task DamagedOrForeignSnapshot_LogsAWarning_StartsAnyway_AndIsReplacedAtTheNextSave(string damage, int eventId)
    {
        var first = await StartAsync();
        Store(first.Cache, "www.test");
        Store(first.Cache, "mail.test");
        await first.Service.StopAsync(CancellationToken.None);
        var bytes = File.ReadAllBytes(SnapshotPath);
        switch (damage)
        {
            case "truncated":
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case "flipped":
                bytes[bytes.Length / 2] ^= 0x10;
                break;
            case "foreign":
                bytes = "{ \"not\": \"a snapshot\" }"u8.ToArray();
                break;
            default:
                bytes[8] = 99;
                break;
        }

        File.WriteAllBytes(SnapshotPath, bytes);

        var second = await StartAsync();
        Assert.Contains(second.Log.Lines, l => l.EventId == eventId && l.Level == LogLevel.Warning);
        Assert.InRange(second.Cache.Count, 0, 1); // the entry before the damage, at most
        Store(second.Cache, "www.test");
        Store(second.Cache, "mail.test");
        await second.Service.StopAsync(CancellationToken.None);

        var third = await StartAsync();
        Assert.Equal(2, third.Cache.Count);
        Assert.DoesNotContain(third.Log.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task EmptyPath_TurnsSnapshotsOff()
    {
        var (cache, service, log) = await StartAsync(path: string.Empty);
        Store(cache, "www.test");

        await service.StopAsync(CancellationToken.None);

        Assert.Empty(Directory.GetFileSystemEntries(_directory));
        Assert.Contains(log.Lines, l => l.EventId == 117);
    }

    [Fact]
    public async Task UnwritablePath_IsLogged_NotThrown()
    {
        var blocker = Path.Combine(_directory, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var (cache, service, log) = await StartAsync(path: Path.Combine(blocker, "cache.snapshot"));
        Store(cache, "www.test");

        await service.StopAsync(CancellationToken.None);

        Assert.Contains(log.Lines, l => l.EventId == 116 && l.Level == LogLevel.Warning);
    }

    private async Task<(DnsCache Cache, CacheSnapshotService Service, ListLogger<CacheSnapshotService> Log)> StartAsync(string? path = null)
    {
        var options = new TestOptions<CacheOptions>(new CacheOptions { SnapshotPath = path ?? SnapshotPath, MaxStale = TimeSpan.FromHours(1) });
        var cache = new DnsCache(options, _time, NullLogger<DnsCache>.Instance);
        var log = new ListLogger<CacheSnapshotService>();
        var service = new CacheSnapshotService(cache, options, _time, log);
        _disposables.Add(cache);
        _disposables.Add(service);
        await service.StartAsync(CancellationToken.None);
        return (cache, service, log);
    }

    private void Store(DnsCache cache, string name)
    {
        var entry = CacheEntryFactory.Create(Key(name), Response(DnsResponseCode.NoError, [300], name: name), "u", cache.Options, _time.GetTimestamp())!;
        Assert.True(cache.Store(entry, cache.Generation));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
