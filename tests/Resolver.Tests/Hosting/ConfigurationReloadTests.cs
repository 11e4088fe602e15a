using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Hosting;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Hosting;

/// <summary>A changed configuration file is checked first, then taken whole; a bad one is logged and the running configuration stays.</summary>
public sealed class ConfigurationReloadTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-reload-").FullName;
    private readonly LogCollector _logs = new();
    private WebApplication _app = null!;

    private string ConfigPath => Path.Combine(_directory, "appsettings.json");

    private ConfigurationReloader Reloader => _app.Services.GetRequiredService<ConfigurationReloader>();

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigPath, Config("""{ "Name": "router.lan", "Type": "A", "Value": "192.168.1.1" }""", slip: 2));
        _app = ResolverHost.Build(["--config", ConfigPath], ConfigPath, services => services.AddSingleton<ILoggerProvider>(_logs));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AValidFile_IsTaken_LocalRecordsAndRateLimitsWithIt()
    {
        await File.WriteAllTextAsync(ConfigPath, Config("""{ "Name": "nas.lan", "Type": "A", "Value": "192.168.1.2" }""", slip: 5));

        Assert.True(Reloader.Reload());
        Assert.Equal("192.168.1.2", Assert.Single((await AskAsync("nas.lan.")).Answers).Data.ToString());
        Assert.Empty((await AskAsync("router.lan.")).Answers); // gone: asked upstream now
        Assert.Equal(5, Current.RateLimit.Slip);
        Assert.Contains(_logs.Lines, l => l.Contains("Configuration reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInvalidValue_IsLoggedWithItsKey_AndNothingOfTheFileIsTaken()
    {
        await File.WriteAllTextAsync(ConfigPath, Config("""{ "Name": "nas.lan", "Type": "A", "Value": "192.168.1.2" }""", slip: 99));

        Assert.False(Reloader.Reload());
        Assert.Equal("192.168.1.1", Assert.Single((await AskAsync("router.lan.")).Answers).Data.ToString());
        Assert.Equal(2, Current.RateLimit.Slip);
        Assert.Contains(_logs.Lines, l => l.Contains("not reloaded", StringComparison.Ordinal) && l.Contains("Dns:RateLimit:Slip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileThatIsNotJson_IsLogged_AndTheRunningConfigurationStays()
    {
        await File.WriteAllTextAsync(ConfigPath, """{ "Dns": { "Listen": [ "127.0.0.1:0" """);

        Assert.False(Reloader.Reload());
        Assert.Equal("192.168.1.1", Assert.Single((await AskAsync("router.lan.")).Answers).Data.ToString());
        Assert.Contains(_logs.Lines, l => l.Contains("not reloaded", StringComparison.Ordinal) && l.Contains(ConfigPath, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AChangedFile_IsNoticedAndTaken_WithoutASignal_WrittenInPlaceOrRenamedOverIt(bool renamed)
    {
        var changed = Config("""{ "Name": "printer.lan", "Type": "A", "Value": "192.168.1.3" }""", slip: 2);
        if (renamed) // as editors save: a new file, moved over the old one
        {
            var saved = Path.Combine(_directory, "appsettings.json.tmp");
            await File.WriteAllTextAsync(saved, changed);
            File.Move(saved, ConfigPath, overwrite: true);
        }
        else
        {
            await File.WriteAllTextAsync(ConfigPath, changed);
        }

        // The new records are served a moment before the reloader logs that it took the file: wait for both.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await AskAsync("printer.lan.")).Answers.Count == 0 || !_logs.Lines.Any(l => l.Contains("Configuration reloaded", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, string.Join('\n', _logs.Lines));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task OtherFilesInTheFolder_AreNotAReason()
    {
        var log = Path.Combine(_directory, "queries.log");
        for (var i = 0; i < 30; i++)
        {
            await File.AppendAllTextAsync(log, $"line {i}\n");
            await Task.Delay(ConfigurationReloader.PollInterval / 10);
        }

        await Task.Delay(ConfigurationReloader.PollInterval * 2);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("Configuration reloaded", StringComparison.Ordinal) || l.Contains("not reloaded", StringComparison.Ordinal));
    }

    private DnsServerOptions Current => _app.Services.GetRequiredService<IOptionsMonitor<DnsServerOptions>>().CurrentValue;

    private string Config(string localRecord, int slip) => $$"""
        {
          "Dns": { "Listen": [ "127.0.0.1:0" ], "LocalRecords": [ {{localRecord}} ], "RateLimit": { "Slip": {{slip}} } },
          "Upstreams": { "Servers": [ { "Address": "127.0.0.1:9" } ], "QueryDeadline": "00:00:01.5", "Timeout": "00:00:00.5" },
          "Cache": { "SnapshotPath": "" },
          "Admin": { "Urls": "http://127.0.0.1:0", "TokenFile": "{{Path.Combine(_directory, "admin-token")}}" },
          "Logging": { "LogLevel": { "Default": "Information" } }
        }
        """;

    private async Task<DnsMessage> AskAsync(string name)
    {
        var query = new DnsMessage { Id = 1, RecursionDesired = true, Edns = new EdnsRecord { UdpPayloadSize = 1232 } };
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), DnsRecordType.A));
        var buffer = new byte[512];
        query.TryWrite(buffer, out var written);
        var output = new byte[1232];
        var length = await _app.Services.GetRequiredService<QueryProcessor>().ProcessAsync(buffer.AsMemory(0, written), output, IPAddress.Loopback, DnsTransport.Udp);
        return DnsMessage.Parse(output.AsSpan(0, length));
    }
}
