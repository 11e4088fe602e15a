using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Cli;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Hosting;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Cli;

/// <summary>The CLI verbs against a real resolver host (DNS and admin API on loopback, ephemeral ports).</summary>
public sealed class CommandLineTests : IAsyncLifetime
{
    private const string AdminToken = "ops-token-0123456789-abcdefghijkl";
    private const string ReadToken = "read-token-0123456789-abcdefghijk";

    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-cli-").FullName;
    private WebApplication _app = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "server.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "Dns": { "Listen": [ "127.0.0.1:0" ] },
              "Upstreams": { "Servers": [ { "Address": "127.0.0.1:9" } ] },
              "Cache": { "SnapshotPath": "{{Path.Combine(_directory, "cache.snapshot")}}" },
              "Admin": {
                "Urls": "http://127.0.0.1:0",
                "Tokens": [ { "Name": "ops", "Token": "{{AdminToken}}", "Role": "Admin" }, { "Name": "grafana", "Token": "{{ReadToken}}", "Role": "Read" } ]
              },
              "Logging": { "LogLevel": { "Default": "None" } }
            }
            """);
        _app = ResolverHost.Build(["--config", path], path);
        await _app.StartAsync();
        _url = _app.Urls.First();
        Seed("www.example.com");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Cache_ShowsTheTableWithTheRecordAndTheUpstream()
    {
        var (code, output, error) = await RunAsync("cache", "www.example.com");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^TYPE\s+KIND\s+RCODE\s+TTL-LEFT/ORIGINAL\s+STALE\s+UPSTREAM\s+HITS$", lines[0]);
        Assert.Matches(@"^A\s+Positive\s+NOERROR\s+\d+/300\s+no\s+test-upstream\s+0$", lines[1]);
        Assert.Matches(@"^www\.example\.com\. \d+ IN A 192\.0\.2\.1$", lines[2]);
    }

    [Fact]
    public async Task Cache_UnknownName_SaysNoEntries()
    {
        var (code, output, _) = await RunAsync("cache", "nothing.example.com");

        Assert.Equal(0, code);
        Assert.Contains("No entries for nothing.example.com", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_TheRoot_CanBeNamed()
    {
        var (code, output, _) = await RunAsync("cache", ".");

        Assert.Equal(0, code);
        Assert.Contains("No entries for .", output, StringComparison.Ordinal); // asked about the root, not a 404 for /cache/
    }

    [Fact]
    public async Task Cache_InvalidName_ShowsTheProblemDetail()
    {
        var (code, output, error) = await RunAsync("cache", "a..b");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("400", error, StringComparison.Ordinal);
        Assert.Contains("'a..b' is not a valid domain name.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ShowsOneEntry()
    {
        var (code, output, _) = await RunAsync("stats");

        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^entries:\s+1$", output);
        Assert.Matches(@"(?m)^positive:\s+1$", output);
        Assert.Matches(@"(?m)^hit ratio:\s+\d+\.\d\d %$", output);
    }

    [Fact]
    public async Task Stats_ShowsQueriesByRcode_MostFirst()
    {
        var metrics = _app.Services.GetRequiredService<ResolverMetrics>();
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, (int)DnsResponseCode.NXDomain);
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, (int)DnsResponseCode.NXDomain);
        metrics.QueryAnswered(DnsTransport.Tcp, DnsRecordType.A, (int)DnsResponseCode.NoError);

        var (code, output, _) = await RunAsync("stats");

        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^queries NXDOMAIN:\s+2\r?\nqueries NOERROR:\s+1$", output);
    }

    [Fact]
    public async Task Audit_ShowsTheCallerAndTheFlush()
    {
        Assert.Equal(0, (await RunAsync("flush", "www.example.com")).Code);

        var (code, output, error) = await RunAsync(["audit"], ReadToken);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Token grafana (Read role).", lines[0]);
        Assert.Matches(@"^TIME\s+CALLER\s+ADDRESS\s+ACTION\s+TARGET\s+DETAIL$", lines[1]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+ops\s+127\.0\.0\.1\s+flush\s+www\.example\.com\.\s+removed 1$", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task Audit_NothingDone_SaysSo()
    {
        var (code, output, _) = await RunAsync("audit");

        Assert.Equal(0, code);
        Assert.Equal(["Token ops (Admin role).", "No flushes, drains or watch changes since start."], output.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task Flush_Name_RemovesIt_AndCacheThenShowsNone()
    {
        var (code, output, error) = await RunAsync("flush", "www.example.com");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal(["Removed 1 entry:", "  www.example.com. A Positive"], output.TrimEnd().Split(Environment.NewLine));
        (code, output, _) = await RunAsync("cache", "www.example.com");
        Assert.Equal(0, code);
        Assert.Contains("No entries for www.example.com", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flush_NameBelowACachedNxDomain_RemovesAndListsTheCoveringEntry()
    {
        Seed("gone.example.com", DnsResponseCode.NXDomain);

        var (code, output, _) = await RunAsync("flush", "www.gone.example.com", "--negative");

        Assert.Equal(0, code);
        Assert.Equal(["Removed 1 entry:", "  gone.example.com. * NxDomain"], output.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task Flush_OtherType_RemovesNothing()
    {
        var (code, output, _) = await RunAsync("flush", "www.example.com", "--type", "AAAA");

        Assert.Equal(0, code);
        Assert.Equal("Removed 0 entries.", output.Trim());
    }

    [Fact]
    public async Task FlushAll_Json_PrintsTheServersJson()
    {
        Seed("mail.example.com");

        var (code, output, _) = await RunAsync("flush", "--all", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("removed").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("peers").GetArrayLength());
    }

    [Fact]
    public async Task Flush_WithAReadToken_Fails403_AndFlushesNothing()
    {
        var (code, output, error) = await RunAsync(["flush", "www.example.com"], ReadToken);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("403", error, StringComparison.Ordinal);
        Assert.Contains("Token 'grafana' has the Read role; this call needs Admin.", error, StringComparison.Ordinal);
        Assert.Equal(1, Cache.Count);
    }

    [Fact]
    public async Task Watch_AddListAcceptRemove()
    {
        var (added, addOutput, _) = await RunAsync("watch", "add", "api.example.com", "--subtree", "--hold", "00:30:00", "--probe-interval", "00:01:00");
        var (listed, listOutput, _) = await RunAsync("watch", "list");
        var (accepted, _, acceptError) = await RunAsync("watch", "accept", "api.example.com");
        var (removed, removeOutput, _) = await RunAsync("watch", "remove", "api.example.com");
        var (readOnly, _, readOnlyError) = await RunAsync(["watch", "add", "x.example.com"], ReadToken);

        Assert.Equal(0, added);
        Assert.Equal("Watching api.example.com. and the names below it (hold 00:30:00, probed every 00:01:00)", addOutput.Trim());
        Assert.Equal(0, listed);
        Assert.Matches(@"(?m)^api\.example\.com\.\s+yes\s+00:30:00\s+00:01:00\s*$", listOutput);
        Assert.Contains("No holds.", listOutput, StringComparison.Ordinal);
        Assert.Equal(1, accepted); // nothing held
        Assert.Contains("No hold on 'api.example.com.'", acceptError, StringComparison.Ordinal);
        Assert.Equal(0, removed);
        Assert.StartsWith("No longer watching api.example.com.", removeOutput, StringComparison.Ordinal);
        Assert.Equal(1, readOnly);
        Assert.Contains("403", readOnlyError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_Fails401()
    {
        var (code, _, error) = await RunAsync(["stats"], "not-a-token-0123456789");

        Assert.Equal(1, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flush")]
    [InlineData("flush", "www.example.com", "--all")]
    [InlineData("flush", "--all", "--subtree")]
    [InlineData("cache")]
    [InlineData("stats", "--bogus")]
    [InlineData("watch", "add")]
    [InlineData("watch", "add", "api.example.com", "--hold", "soon")]
    public async Task UsageErrors_ExitTwo_WithAHint(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("--help", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsTheOptions_AndCallsNothing()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CommandLine.RunAsync(["flush", "--help"], output, error, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("--subtree", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--fleet", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListening_ExitsOne_NamingTheUrl()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CommandLine.RunAsync(["stats", "--url", $"http://127.0.0.1:{port}", "--token", AdminToken], output, error, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains($"http://127.0.0.1:{port}/", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Upstreams_ListsTheConfiguredServer()
    {
        var (code, output, _) = await RunAsync("upstreams");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^NAME\s+STATE\s+RTT\(ms\)\s+RTO\(ms\)\s+INFLIGHT\s+QUERIES\s+FAILURES\s+TIMEOUTS\s+DOWN-SINCE\s+LAST-ERROR$", lines[0]);
        Assert.StartsWith("127.0.0.1:9/udp ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlAndToken_ComeFromTheConfigFile()
    {
        var path = Path.Combine(_directory, "client.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Admin": { "Urls": "{{_url}};http://127.0.0.1:1", "Tokens": [ { "Name": "grafana", "Token": "{{ReadToken}}", "Role": "Read" }, { "Name": "ops", "Token": "{{AdminToken}}", "Role": "Admin" } ] } }
            """);

        var (code, output, error) = await RunWithoutEndpointAsync("stats", "--config", path);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Matches(@"(?m)^entries:\s+1$", output);

        // A flush picks the Admin token, not the first one.
        (code, output, error) = await RunWithoutEndpointAsync("flush", "--all", "--config", path);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("Removed 1 entry:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenFile_IsUsed_WhenTheConfigHasNoTokens()
    {
        var tokenFile = Path.Combine(_directory, "admin-token");
        await File.WriteAllTextAsync(tokenFile, AdminToken + "\n");
        var path = Path.Combine(_directory, "client.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Admin": { "Urls": "{{_url.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal)}}", "TokenFile": "{{tokenFile}}" } }
            """);

        var (code, output, _) = await RunWithoutEndpointAsync("flush", "www.example.com", "--config", path);

        Assert.Equal(0, code);
        Assert.StartsWith("Removed 1 entry:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTokenFile_SaysWhereTheTokenComesFrom()
    {
        var path = Path.Combine(_directory, "client.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Admin": { "Urls": "{{_url}}", "TokenFile": "{{Path.Combine(_directory, "absent")}}" } }
            """);

        var (code, _, error) = await RunWithoutEndpointAsync("stats", "--config", path);

        Assert.Equal(1, code);
        Assert.Contains("--token", error, StringComparison.Ordinal);
        Assert.Contains("absent", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenOnTheCommandLine_Works_ButWarnsThatOtherLocalUsersCanSeeIt()
    {
        var (code, output, error) = await RunWithoutEndpointAsync("stats", "--url", _url, "--token", ReadToken);

        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^entries:\s+1$", output);
        Assert.Equal(
            "warning: a token on the command line is visible to other local users (ps, /proc/<pid>/cmdline); set RESOLVER_TOKEN or use --token-file PATH instead.",
            error.Trim());
    }

    [Fact]
    public async Task TokenFileOption_ReadsTheToken_WithoutAWarning()
    {
        var (code, output, error) = await RunWithoutEndpointAsync("flush", "www.example.com", "--url", _url, "--token-file", TokenFile(AdminToken));

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("Removed 1 entry:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenFileOption_MissingFile_NamesIt()
    {
        var absent = Path.Combine(_directory, "no-such-token");

        var (code, _, error) = await RunWithoutEndpointAsync("stats", "--url", _url, "--token-file", absent);

        Assert.Equal(1, code);
        Assert.Equal($"error: The token file {absent} (--token-file) does not exist.", error.Trim());
        Assert.Equal(1, Cache.Count);
    }

    [Fact]
    public async Task TokenAndTokenFile_Together_AreAUsageError()
    {
        var (code, _, error) = await RunWithoutEndpointAsync("stats", "--url", _url, "--token", AdminToken, "--token-file", TokenFile(AdminToken));

        Assert.Equal(2, code);
        Assert.Contains("Give --token or --token-file, not both.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenEntryWithATokenFile_InTheConfig_IsReadFromThatFile()
    {
        var path = Path.Combine(_directory, "client.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Admin": { "Urls": "{{_url}}", "Tokens": [ { "Name": "grafana", "Token": "{{ReadToken}}", "Role": "Read" }, { "Name": "ops", "TokenFile": "{{TokenFile(AdminToken)}}", "Role": "Admin" } ] } }
            """);

        var (code, output, error) = await RunWithoutEndpointAsync("flush", "--all", "--config", path);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("Removed 1 entry:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigFile_IsAnError()
    {
        var (code, _, error) = await RunWithoutEndpointAsync("stats", "--config", Path.Combine(_directory, "nope.json"));

        Assert.Equal(1, code);
        Assert.Contains("Configuration file not found", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8053", "http://127.0.0.1:8053/")]
    [InlineData("http://[::]:8053", "http://127.0.0.1:8053/")]
    [InlineData("http://*:8053", "http://127.0.0.1:8053/")]
    [InlineData("http://+:8053/", "http://127.0.0.1:8053/")]
    [InlineData(" https://resolver.internal:8443 ; http://0.0.0.0:1", "https://resolver.internal:8443/")]
    [InlineData("http://[::1]:8053", "http://[::1]:8053/")]
    [InlineData("http://10.0.0.2:8053/admin", "http://10.0.0.2:8053/admin/")]
    public void ParseUrl_TakesTheFirst_AndMakesAWildcardLoopback(string urls, string expected)
    {
        Assert.Equal(expected, AdminEndpoint.ParseUrl(urls, "test").ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:8053")]
    [InlineData("ftp://127.0.0.1")]
    public void ParseUrl_NotHttp_IsAnError(string urls)
    {
        var e = Assert.Throws<CliException>(() => AdminEndpoint.ParseUrl(urls, "test"));
        Assert.Contains("not an http:// or https:// URL", e.Message, StringComparison.Ordinal);
    }

    private DnsCache Cache => _app.Services.GetRequiredService<DnsCache>();

    private void Seed(string name, DnsResponseCode code = DnsResponseCode.NoError) =>
        CacheSeed.Store(Cache, name, DnsRecordType.A, code, 300, "test-upstream");

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, AdminToken);

    /// <summary>Runs against the test server with <paramref name="token"/> passed the recommended way, in a file.</summary>
    private Task<(int Code, string Output, string Error)> RunAsync(string[] args, string token) =>
        RunWithoutEndpointAsync([.. args, "--url", _url, "--token-file", TokenFile(token)]);

    private string TokenFile(string token)
    {
        var path = Path.Combine(_directory, $"token-{token}");
        File.WriteAllText(path, token + "\n");
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunWithoutEndpointAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
