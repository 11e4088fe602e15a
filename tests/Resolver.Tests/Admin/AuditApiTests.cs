using System.Net;
using System.Text.Json;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>GET /api/v1/audit: the flushes, drains and watch changes made through the API, newest first, and the caller's role.</summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task AFlushAndADrain_ShowUp_NewestFirst_WithTheCallerAndTheOutcome()
    {
        _app.Seed("gone.example.com", DnsRecordType.A, DnsResponseCode.NXDomain);
        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: """{"name": "gone.example.com", "negativeOnly": true}""");
        Assert.True(status == HttpStatusCode.OK, body);
        var upstream = await UpstreamNameAsync();
        (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/upstreams/drain", json: $$"""{"name": "{{upstream}}", "drain": true}""");
        Assert.True(status == HttpStatusCode.OK, body);

        using var audit = await AuditAsync(TestApp.ReadToken);

        var entries = audit.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("drain", entries[0].GetProperty("action").GetString());
        Assert.Equal(upstream, entries[0].GetProperty("target").GetString());
        Assert.Equal("state drained", entries[0].GetProperty("detail").GetString());
        var flush = entries[1];
        Assert.Equal("flush", flush.GetProperty("action").GetString());
        Assert.Equal("gone.example.com., negative only", flush.GetProperty("target").GetString());
        Assert.Equal("removed 1", flush.GetProperty("detail").GetString());
        Assert.Equal("ops", flush.GetProperty("caller").GetString());
        Assert.Equal("127.0.0.1", flush.GetProperty("address").GetString());
        Assert.Equal(_app.Time.GetUtcNow(), flush.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public async Task WatchChanges_ShowUp()
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Put, "/api/v1/watch/api.example.com", json: """{"subtree": true}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Delete, "/api/v1/watch/api.example.com")).Status);

        using var audit = await AuditAsync(TestApp.AdminToken);

        var entries = audit.RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("target").GetString()}: {e.GetProperty("detail").GetString()}");
        Assert.Equal(["unwatch api.example.com.: subtree, hold 00:15:00", "watch api.example.com.: subtree, hold 00:15:00"], entries);
    }

    [Fact]
    public async Task AForbiddenFlush_IsNotRecorded()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", TestApp.ReadToken, """{"all": true}""")).Status);

        using var audit = await AuditAsync(TestApp.AdminToken);

        Assert.Equal(0, audit.RootElement.GetProperty("entries").GetArrayLength());
    }

    [Theory]
    [InlineData(TestApp.AdminToken, "ops", "Admin")]
    [InlineData(TestApp.ReadToken, "grafana", "Read")]
    public async Task TheCaller_IsTheTokensNameAndRole(string token, string name, string role)
    {
        using var audit = await AuditAsync(token);

        var caller = audit.RootElement.GetProperty("caller");
        Assert.Equal(name, caller.GetProperty("name").GetString());
        Assert.Equal(role, caller.GetProperty("role").GetString());
    }

    [Fact]
    public async Task WithoutAToken_Is401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.SendAsync(HttpMethod.Get, "/api/v1/audit", token: null)).Status);
    }

    private async Task<JsonDocument> AuditAsync(string token)
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/audit", token);
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    private async Task<string> UpstreamNameAsync()
    {
        var (_, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/upstreams");
        using var document = JsonDocument.Parse(body);
        return document.RootElement[0].GetProperty("name").GetString()!;
    }
}
