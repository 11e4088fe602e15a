using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Hosting;

namespace Resolver.Tests.Hosting;

/// <summary>Bad configuration fails start-up with a message naming the key; it never crashes with a stack trace.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConfig(string cache = "{}", string upstreams = """{ "Servers": [ { "Address": "127.0.0.1:1" } ] }""", string listen = """[ "127.0.0.1:0" ]""")
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "Dns": { "Listen": {{listen}} },
              "Upstreams": {{upstreams}},
              "Cache": {{cache}},
              "Admin": { "Urls": "http://127.0.0.1:0", "TokenFile": "{{Path.Combine(_directory, "admin-token")}}" },
              "Logging": { "LogLevel": { "Default": "None" } }
            }
            """);
        return path;
    }

    private static async Task<Exception> StartFailureAsync(string path, params string[] extraArgs)
    {
        var args = new[] { "--config", path }.Concat(extraArgs).ToArray();
        await using var app = ResolverHost.Build(args, ConfigurationFile.Resolve(args));
        return await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
    }

    [Fact]
    public async Task ValidConfiguration_Starts_AndBindsTheConfiguredListener()
    {
        var args = new[] { "--config", WriteConfig() };
        await using var app = ResolverHost.Build(args, ConfigurationFile.Resolve(args));

        await app.StartAsync();
        var listeners = app.Services.GetRequiredService<DnsListenerService>();

        Assert.True(listeners.IsListening);
        Assert.Single(listeners.BoundEndPoints); // the defaults were not appended to the configured list
        await app.StopAsync();
    }

    [Theory]
    [InlineData("""{ "MaxEntries": 0 }""", "Cache:MaxEntries")]
    [InlineData("""{ "MaxNegativeTtl": "-00:00:01" }""", "Cache:MaxNegativeTtl")]
    [InlineData("""{ "PrefetchThreshold": 1.5 }""", "Cache:PrefetchThreshold")]
    [InlineData("""{ "SnapshotInterval": "00:00:00" }""", "Cache:SnapshotInterval")]
    [InlineData("""{ "SnapshotPath": "/tmp/" }""", "Cache:SnapshotPath")]
    public async Task InvalidCacheValue_NamesTheKey(string cache, string key)
    {
        var error = await StartFailureAsync(WriteConfig(cache: cache));

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(validation.Failures, f => f.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "Servers": [ { "Address": "not-an-ip" } ] }""", "Upstreams:Servers:0:Address")]
    [InlineData("""{ "Servers": [] }""", "Upstreams:Servers")]
    [InlineData("""{ "Servers": [ { "Address": "1.1.1.1", "Transport": "Tls" } ] }""", "Upstreams:Servers:0:TlsName")]
    [InlineData("""{ "Servers": [ { "Address": "127.0.0.1" } ], "Forwarders": [ { "Domain": "a..b", "Servers": [ { "Address": "127.0.0.1" } ] } ] }""", "Upstreams:Forwarders:0:Domain")]
    [InlineData("""{ "Servers": [ { "Address": "127.0.0.1" } ], "Timeout": "00:00:00.01" }""", "Upstreams:Timeout")]
    [InlineData("""{ "Servers": [ { "Address": "127.0.0.1" } ], "Timeout": "00:00:05", "QueryDeadline": "00:00:04" }""", "Upstreams:QueryDeadline")]
    public async Task InvalidUpstream_NamesTheKey(string upstreams, string key)
    {
        var error = await StartFailureAsync(WriteConfig(upstreams: upstreams));

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(validation.Failures, f => f.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidListenAddress_NamesTheKey()
    {
        var error = await StartFailureAsync(WriteConfig(listen: """[ "localhost:53" ]"""));

        Assert.Contains(Assert.IsType<OptionsValidationException>(error).Failures, f => f.Contains("Dns:Listen:0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValueOfTheWrongType_NamesTheKey()
    {
        var error = await StartFailureAsync(WriteConfig(cache: """{ "MaxEntries": "lots" }"""));

        Assert.Contains("Cache:MaxEntries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_OverridesTheFile()
    {
        var error = await StartFailureAsync(WriteConfig(), "--Cache:MaxEntries=0");

        Assert.Contains(Assert.IsType<OptionsValidationException>(error).Failures, f => f.Contains("Cache:MaxEntries", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigSwitch_ChoosesTheFile_AndIsNotPassedOn()
    {
        Assert.Equal(Path.GetFullPath("x.json"), ConfigurationFile.Resolve(["--config", "x.json"]));
        Assert.Equal(Path.GetFullPath("y.json"), ConfigurationFile.Resolve(["--config=y.json"]));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), ConfigurationFile.Resolve([]));
        Assert.Equal(["--Cache:MaxEntries=5"], ConfigurationFile.WithoutSwitch(["--config", "x.json", "--Cache:MaxEntries=5"]));
    }

    [Fact]
    public async Task ShippedDefaultConfiguration_IsValid()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var args = new[] { "--config", shipped };
        await using var app = ResolverHost.Build(args, shipped);
        var services = app.Services;

        Assert.Equal(1_000_000, services.GetRequiredService<IOptions<CacheOptions>>().Value.MaxEntries);
        Assert.Equal(TimeSpan.FromMinutes(5), services.GetRequiredService<IOptions<CacheOptions>>().Value.MaxNegativeTtl);
        Assert.Equal(["127.0.0.1:53", "[::1]:53"], services.GetRequiredService<IOptions<DnsServerOptions>>().Value.Listen);
        Assert.Equal(2, services.GetRequiredService<IOptions<Resolver.Core.Upstreams.UpstreamOptions>>().Value.Servers.Count);
        var cache = services.GetRequiredService<IOptions<CacheOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), cache.SnapshotInterval);
        var admin = services.GetRequiredService<IOptions<Resolver.Admin.AdminOptions>>().Value;
        Assert.Equal((10, TimeSpan.FromMinutes(1), false), (admin.FailedAuthLimit, admin.FailedAuthWindow, admin.AllowInsecurePeers));
        var tokenFile = admin.ResolveTokenFile();
        Assert.Equal(Path.Combine(Path.GetDirectoryName(tokenFile)!, "cache.snapshot"), cache.SnapshotPath); // "SnapshotPath": null is the default
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "SnapshotPath": null }""")]
    public async Task SnapshotPath_DefaultsToBesideTheTokenFile(string cache)
    {
        Assert.Equal(Path.Combine(_directory, "cache.snapshot"), await SnapshotPathAsync(cache));
    }

    [Theory]
    [InlineData("elsewhere/cache.bin")]
    [InlineData("")] // snapshots off
    public async Task SnapshotPath_WhenConfigured_IsKept(string configured)
    {
        Assert.Equal(configured, await SnapshotPathAsync($$"""{ "SnapshotPath": "{{configured}}" }"""));
    }

    private async Task<string?> SnapshotPathAsync(string cache)
    {
        var path = WriteConfig(cache: cache);
        await using var app = ResolverHost.Build(["--config", path], path);
        return app.Services.GetRequiredService<IOptions<CacheOptions>>().Value.SnapshotPath;
    }

    [Theory]
    [InlineData("""{ "MaxEntries": 0 }""", "Cache:MaxEntries must be at least 1")]
    [InlineData("""{ "MaxEntries": 1, }, }""", "Could not parse the JSON file")] // not JSON at all
    public async Task Process_WithBadConfiguration_ExitsWithTheMessage_NotAStackTrace(string cache, string message)
    {
        var path = WriteConfig(cache: cache);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Resolver.dll"), "--config", path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await stderr, StringComparison.Ordinal);
        _ = await stdout;
    }
}
