using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Resolver.Core.Cache;
using Resolver.Core.Tests.Testing;
using Resolver.Hosting;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Tests.Testing;

/// <summary>
/// A whole resolver process in-process: DNS on 127.0.0.1:0, admin API on http://127.0.0.1:0, a manual
/// clock, collected logs, and helpers to seed the cache and call the API with a token.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string AdminToken = "ops-token-0123456789-abcdefghijkl";
    public const string ReadToken = "read-token-0123456789-abcdefghijk";

    private readonly string _directory;

    private TestApp(WebApplication app, string directory, LogCollector logs, ManualTimeProvider time)
    {
        App = app;
        _directory = directory;
        Logs = logs;
        Time = time;
        Url = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public LogCollector Logs { get; }

    public ManualTimeProvider Time { get; }

    public DnsCache Cache => App.Services.GetRequiredService<DnsCache>();

    /// <summary>Starts an instance; <paramref name="admin"/> is the JSON of the Admin section without Urls (default: an ops and a read token).</summary>
    public static async Task<TestApp> StartAsync(string? admin = null, string upstreams = """{ "Servers": [ { "Address": "127.0.0.1:9" } ] }""", string? extraSections = null)
    {
        var directory = Directory.CreateTempSubdirectory("resolver-app-").FullName;
        var path = WriteConfig(directory, admin, upstreams, extraSections);
        var logs = new LogCollector();
        var time = new ManualTimeProvider();
        var app = Build(path, logs, time);
        await app.StartAsync();
        return new TestApp(app, directory, logs, time);
    }

    /// <summary>
    /// Writes appsettings.json into <paramref name="directory"/>: DNS on 127.0.0.1:0, the admin API on
    /// <paramref name="urls"/>, the Admin section's other keys from <paramref name="admin"/>; returns its path.
    /// </summary>
    public static string WriteConfig(
        string directory, string? admin = null, string upstreams = """{ "Servers": [ { "Address": "127.0.0.1:9" } ] }""", string? extraSections = null, string urls = "http://127.0.0.1:0")
    {
        admin ??= $$"""
            "Tokens": [ { "Name": "ops", "Token": "{{AdminToken}}", "Role": "Admin" }, { "Name": "grafana", "Token": "{{ReadToken}}", "Role": "Read" } ]
            """;
        var path = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(path, $$"""
            {
              "Dns": { "Listen": [ "127.0.0.1:0" ] },
              "Upstreams": {{upstreams}},
              "Admin": { "Urls": "{{urls}}", {{admin}} },
              {{(extraSections is null ? string.Empty : extraSections + ",")}}
              "Logging": { "LogLevel": { "Default": "Information" } }
            }
            """);
        return path;
    }

    /// <summary>Builds (does not start) the resolver for the configuration at <paramref name="path"/>, logging into <paramref name="logs"/>.</summary>
    public static WebApplication Build(string path, LogCollector logs, ManualTimeProvider? time = null)
    {
        // Its own snapshot file: the default (beside the admin token file in the home directory) would be
        // shared by every test and by a resolver running on this machine.
        var snapshot = Path.Combine(Path.GetDirectoryName(path)!, "cache.snapshot");
        return ResolverHost.Build(["--config", path, "--Cache:SnapshotPath", snapshot], path, services =>
        {
            services.AddSingleton<TimeProvider>(time ?? new ManualTimeProvider());
            services.AddSingleton<ILoggerProvider>(logs);
        });
    }

    /// <summary>Puts an answer for <paramref name="name"/> in the cache, as if an upstream had sent it.</summary>
    public void Seed(string name, DnsRecordType type, DnsResponseCode code = DnsResponseCode.NoError, uint ttl = 300) =>
        CacheSeed.Store(Cache, name, type, code, ttl, "seed-upstream");

    public HttpRequestMessage Request(HttpMethod method, string path, string? token = AdminToken, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? token = AdminToken, string? json = null)
    {
        using var request = Request(method, path, token, json);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
