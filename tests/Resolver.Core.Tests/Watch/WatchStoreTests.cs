using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Cache;
using Resolver.Core.Watch;
using Resolver.Protocol.Names;

namespace Resolver.Core.Tests.Watch;

/// <summary>Watch changes made at run time survive a restart, beside the cache snapshot; a damaged file leaves the configuration.</summary>
public sealed class WatchStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-watch-").FullName;

    private string Snapshot => Path.Combine(_directory, "cache.snapshot");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunTimeChanges_AreThereAfterARestart_OverTheConfiguration()
    {
        var (before, store) = await StartAsync();
        before.Set(WatchRule.TryCreate("pay.example.com", true, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(10), string.Empty, [])!);
        before.Set(WatchRule.TryCreate("api.example.com", false, TimeSpan.FromMinutes(2), null, string.Empty, [])!); // a configured name, changed
        before.Remove(DnsName.Parse("cdn.example.com."));
        await store.StopAsync(CancellationToken.None);

        var (after, _) = await StartAsync();

        Assert.Equal(["api.example.com.", "pay.example.com."], after.Rules.Select(r => r.Name.ToString()));
        Assert.Equal(TimeSpan.FromMinutes(2), after.Rules[0].Hold);
        Assert.Equal((true, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(10)), (after.Rules[1].Subtree, after.Rules[1].Hold, after.Rules[1].ProbeInterval));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Snapshot + WatchStore.Suffix));
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"names": [{"name": "x..y", "subtree": false, "hold": "00:15:00"}], "unwatched": []}""")]
    [InlineData("""{"names": 3}""")]
    public async Task ADamagedFile_LeavesTheConfiguredNames(string content)
    {
        await File.WriteAllTextAsync(Snapshot + WatchStore.Suffix, content);

        var (watches, _) = await StartAsync();

        Assert.Equal(["api.example.com.", "cdn.example.com."], watches.Rules.Select(r => r.Name.ToString()));
    }

    private async Task<(WatchList Watches, WatchStore Store)> StartAsync()
    {
        var watches = new WatchList(new TestOptions<WatchOptions>(new WatchOptions
        {
            Names = [new WatchRuleOptions { Name = "api.example.com" }, new WatchRuleOptions { Name = "cdn.example.com" }],
        }));
        var store = new WatchStore(watches, Options.Create(new CacheOptions { SnapshotPath = Snapshot }), NullLogger<WatchStore>.Instance);
        await store.StartAsync(CancellationToken.None);
        return (watches, store);
    }
}
