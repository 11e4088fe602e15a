using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Core.Cache;
using Resolver.Core.Watch;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>/api/v1/watch: list, watch, unwatch, accept a hold; the cache view shows a hold; a flush ends one.</summary>
public sealed class WatchApiTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(extraSections: """
        "Watch": { "Names": [ { "Name": "api.example.com", "Hold": "00:05:00", "ProbeInterval": "00:10:00" } ] }
        """);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private HoldTable Holds => _app.App.Services.GetRequiredService<HoldTable>();

    private WatchList Watches => _app.App.Services.GetRequiredService<WatchList>();

    [Theory]
    [InlineData("GET", "/api/v1/watch", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/api/v1/watch", TestApp.ReadToken, HttpStatusCode.OK)]
    [InlineData("PUT", "/api/v1/watch/www.example.com", TestApp.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("PUT", "/api/v1/watch/www.example.com", null, HttpStatusCode.Unauthorized)]
    [InlineData("DELETE", "/api/v1/watch/api.example.com", TestApp.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("POST", "/api/v1/watch/api.example.com/accept", TestApp.ReadToken, HttpStatusCode.Forbidden)]
    public async Task Authorization_AsForFlush(string method, string path, string? token, HttpStatusCode expected)
    {
        var (status, body) = await _app.SendAsync(new HttpMethod(method), path, token, method == "PUT" ? "{}" : null);

        Assert.True(expected == status, $"{status}: {body}");
        Assert.Single(Watches.Rules); // nothing changed
    }

    [Fact]
    public async Task WatchListAndUnwatch_ChangeTheList_AndAreAudited()
    {
        var (put, putBody) = await _app.SendAsync(HttpMethod.Put, "/api/v1/watch/Pay.Example.com", json: """{"subtree": true, "hold": "00:30:00"}""");
        var (_, listed) = await _app.SendAsync(HttpMethod.Get, "/api/v1/watch", TestApp.ReadToken);
        var (delete, _) = await _app.SendAsync(HttpMethod.Delete, "/api/v1/watch/pay.example.com");
        var (again, _) = await _app.SendAsync(HttpMethod.Delete, "/api/v1/watch/pay.example.com");

        Assert.True(put == HttpStatusCode.OK, putBody);
        using var document = JsonDocument.Parse(listed);
        var names = document.RootElement.GetProperty("names").EnumerateArray().ToList();
        Assert.Equal(["api.example.com.", "pay.example.com."], names.Select(n => n.GetProperty("name").GetString()));
        Assert.Equal("00:05:00", names[0].GetProperty("hold").GetString()); // configured
        Assert.Equal("00:10:00", names[0].GetProperty("probeInterval").GetString());
        Assert.True(names[1].GetProperty("subtree").GetBoolean());
        Assert.Equal("00:30:00", names[1].GetProperty("hold").GetString());
        Assert.Equal(HttpStatusCode.OK, delete);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Contains(_app.Logs.Lines, l => l.Contains("AUDIT watch by ops from 127.0.0.1: pay.example.com.", StringComparison.Ordinal));
        Assert.Contains(_app.Logs.Lines, l => l.Contains("AUDIT unwatch by ops from 127.0.0.1: pay.example.com.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a/b.example.com")] // the server leaves %2F escaped in the route value
    [InlineData("a%41.example.com")] // %2541: decoded twice, it would be "aA"
    public async Task AName_TheCliEscapes_IsWatchedAndUnwatchedAsItIs(string name)
    {
        var path = "/api/v1/watch/" + Uri.EscapeDataString(name); // as CommandLine.Watch sends it

        var (put, putBody) = await _app.SendAsync(HttpMethod.Put, path, json: "{}");
        var watched = Watches.Rules.Select(r => r.Name.ToString()).ToList();
        var (delete, deleteBody) = await _app.SendAsync(HttpMethod.Delete, path);

        Assert.True(put == HttpStatusCode.OK, putBody);
        Assert.Contains(name + ".", watched);
        Assert.True(delete == HttpStatusCode.OK, deleteBody);
        Assert.Single(Watches.Rules);
    }

    [Theory]
    [InlineData("/api/v1/watch/api..example", "{}", "not a domain name")]
    [InlineData("/api/v1/watch/api.example.com", """{"hold": "00:00:00"}""", "Hold must be above")]
    [InlineData("/api/v1/watch/api.example.com", """{"hold": "2.00:00:00"}""", "Hold must be above")]
    [InlineData("/api/v1/watch/api.example.com", """{"probeInterval": "00:00:00.1"}""", "ProbeInterval must be between")]
    public async Task ABadWatch_IsA400ThatSaysWhy_AndChangesNothing(string path, string json, string expected)
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Put, path, json: json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(Watches.Rules).Hold);
    }

    [Fact]
    public async Task AHold_IsListed_ShownOnTheCacheEntry_AndEndedByAccept()
    {
        var key = Hold("api.example.com");

        var (_, listed) = await _app.SendAsync(HttpMethod.Get, "/api/v1/watch", TestApp.ReadToken);
        var (_, inspected) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/api.example.com", TestApp.ReadToken);
        var (accepted, acceptBody) = await _app.SendAsync(HttpMethod.Post, "/api/v1/watch/api.example.com/accept");
        var (again, _) = await _app.SendAsync(HttpMethod.Post, "/api/v1/watch/api.example.com/accept");

        using (var document = JsonDocument.Parse(listed))
        {
            var hold = Assert.Single(document.RootElement.GetProperty("holds").EnumerateArray().ToList());
            Assert.Equal("api.example.com.", hold.GetProperty("name").GetString());
            Assert.Equal("A", hold.GetProperty("type").GetString());
        }

        using (var document = JsonDocument.Parse(inspected))
        {
            var entry = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray().ToList());
            Assert.True(entry.GetProperty("held").GetBoolean());
            Assert.Equal(_app.Time.GetUtcNow(), entry.GetProperty("hold").GetProperty("since").GetDateTimeOffset());
        }

        Assert.True(accepted == HttpStatusCode.OK, acceptBody);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.True(Holds.IsEmpty);
        Assert.False(_app.Cache.HoldsPositive(key)); // the last good answer is gone: the negative answer is what comes next
        Assert.Contains(_app.Logs.Lines, l => l.Contains("AUDIT hold accepted by ops from 127.0.0.1: api.example.com.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlushingAHeldName_EndsItsHold()
    {
        Hold("api.example.com");

        var (status, _) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: """{"name": "api.example.com"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(Holds.IsEmpty);
    }

    /// <summary>A cached A answer for <paramref name="name"/> and a hold on it, as a flip upstream would begin one.</summary>
    private CacheKey Hold(string name)
    {
        _app.Seed(name, DnsRecordType.A);
        var key = CacheKey.Create(DnsName.Parse(name).Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        Holds.Begin(key, Watches.RuleFor(key.Name)!, out _);
        return key;
    }
}
