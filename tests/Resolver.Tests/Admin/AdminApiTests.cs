using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

public sealed class AdminApiTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Theory]
    [InlineData("POST", "/api/v1/cache/flush", null, HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/api/v1/cache/flush", "wrong-token-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/api/v1/cache/flush", TestApp.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("POST", "/api/v1/upstreams/drain", TestApp.ReadToken, HttpStatusCode.Forbidden)]
    [InlineData("GET", "/api/v1/cache/stats", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/api/v1/cache/stats", TestApp.ReadToken, HttpStatusCode.OK)]
    [InlineData("GET", "/api/v1/upstreams", TestApp.ReadToken, HttpStatusCode.OK)]
    [InlineData("GET", "/api/v1/cache/www.example.com", "wrong-token-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/openapi/v1.json", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/healthz", null, HttpStatusCode.OK)]
    [InlineData("GET", "/readyz", null, HttpStatusCode.OK)]
    [InlineData("GET", "/metrics", null, HttpStatusCode.OK)]
    public async Task Authorization(string method, string path, string? token, HttpStatusCode expected)
    {
        _app.Seed("www.example.com", DnsRecordType.A);

        var (status, body) = await _app.SendAsync(new HttpMethod(method), path, token, method == "POST" ? """{"all": true}""" : null);

        Assert.True(expected == status, $"{status}: {body}");
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal(1, _app.Cache.Count); // nothing flushed
        }
    }

    [Theory]
    [InlineData(60 * 1024, HttpStatusCode.OK, 0)]
    [InlineData(65 * 1024, HttpStatusCode.RequestEntityTooLarge, 1)]
    public async Task RequestBodies_AreLimitedTo64KB_AndAnOversizedFlushChangesNothing(int size, HttpStatusCode expected, int left)
    {
        _app.Seed("www.example.com", DnsRecordType.A);
        var json = """{"all": true, "padding": ""}""";
        json = json.Insert(json.Length - 2, new string('x', size - json.Length));

        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: json);

        Assert.True(expected == status, $"{status}: {body}");
        Assert.Equal(left, _app.Cache.Count);
        if (expected == HttpStatusCode.RequestEntityTooLarge)
        {
            Assert.Contains("larger than the admin API accepts (64 KB); nothing was changed", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Inspect_ShowsEachTypeWithRecordsTtlsUpstreamAndHits()
    {
        _app.Seed("www.example.com", DnsRecordType.A);
        _app.Seed("www.example.com", DnsRecordType.MX, ttl: 60);
        _app.Time.Advance(TimeSpan.FromSeconds(100));

        var (status, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/WWW.Example.com", TestApp.ReadToken);

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var a = entries.Single(e => e.GetProperty("type").GetString() == "A");
        Assert.Equal("Positive", a.GetProperty("kind").GetString());
        Assert.Equal("NOERROR", a.GetProperty("rcode").GetString());
        Assert.Equal(200u, a.GetProperty("ttlLeft").GetUInt32());
        Assert.Equal(300u, a.GetProperty("originalTtl").GetUInt32());
        Assert.False(a.GetProperty("stale").GetBoolean());
        Assert.Equal("seed-upstream", a.GetProperty("upstream").GetString());
        Assert.Equal("www.example.com.\t200\tIN\tA\t192.0.2.1", a.GetProperty("answer")[0].GetString());
        var mx = entries.Single(e => e.GetProperty("type").GetString() == "MX");
        Assert.True(mx.GetProperty("negative").GetBoolean());
        Assert.True(mx.GetProperty("stale").GetBoolean());
        Assert.Contains("SOA", mx.GetProperty("authority")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_ShowsAnNxdomainCachedForAnAncestor()
    {
        _app.Seed("gone.example.com", DnsRecordType.A, DnsResponseCode.NXDomain);

        var (_, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/x.gone.example.com", TestApp.ReadToken);

        using var document = JsonDocument.Parse(body);
        var entry = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("NXDOMAIN", entry.GetProperty("rcode").GetString());
        Assert.Equal("gone.example.com.", entry.GetProperty("coveredBy").GetString());
    }

    [Fact]
    public async Task Inspect_TheRootAndAnEscapedSlash_CanBeNamed()
    {
        _app.Seed(".", DnsRecordType.NS);
        _app.Seed("a/b.example.com", DnsRecordType.TXT);

        var (rootStatus, root) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache?name=.", TestApp.ReadToken);
        var (_, slash) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/a%2Fb.example.com", TestApp.ReadToken);
        var (missingStatus, missing) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache", TestApp.ReadToken);

        Assert.Equal(HttpStatusCode.OK, rootStatus);
        using var rootDocument = JsonDocument.Parse(root);
        Assert.Equal(".", rootDocument.RootElement.GetProperty("name").GetString());
        Assert.Equal("NS", Assert.Single(rootDocument.RootElement.GetProperty("entries").EnumerateArray()).GetProperty("type").GetString());
        using var slashDocument = JsonDocument.Parse(slash);
        Assert.Equal("TXT", Assert.Single(slashDocument.RootElement.GetProperty("entries").EnumerateArray()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Contains("?name=", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_AnEscapedPercent_IsDecodedOnce()
    {
        _app.Seed("a%41.example.com", DnsRecordType.TXT);
        _app.Seed("aA.example.com", DnsRecordType.A);

        var (status, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/" + Uri.EscapeDataString("a%41.example.com"), TestApp.ReadToken);

        Assert.True(status == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("a%41.example.com.", document.RootElement.GetProperty("name").GetString());
        Assert.Equal("TXT", Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Inspect_InvalidName_Is400()
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/a..b", TestApp.ReadToken);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a valid domain name", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_CountsEntriesByKind()
    {
        _app.Seed("www.example.com", DnsRecordType.A);
        _app.Seed("gone.example.com", DnsRecordType.A, DnsResponseCode.NXDomain);

        var (_, body) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/stats", TestApp.ReadToken);

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal(2, root.GetProperty("entries").GetInt32());
        Assert.Equal(1, root.GetProperty("positive").GetInt32());
        Assert.Equal(1, root.GetProperty("negative").GetInt32());
        Assert.Equal(1_000_000, root.GetProperty("maxEntries").GetInt32());
    }

    [Fact]
    public async Task Readiness_HoldsWhileTheUpstreamsAreDownForLessThanTheBackOff_AndReturnsWithAnAnswer()
    {
        var server = _app.App.Services.GetRequiredService<UpstreamRegistry>().All.Single();
        var options = new UpstreamOptions();
        foreach (var name in new[] { "a.test.", "b.test.", "c.test." })
        {
            server.ReportFailure(UpstreamOutcome.Timeout, "no answer", DnsName.Parse(name).Wire, options);
        }

        Assert.True(server.IsDown);
        var (downMoments, _) = await _app.SendAsync(HttpMethod.Get, "/readyz", token: null);
        _app.Time.Advance(options.DownBackoff + TimeSpan.FromSeconds(1));
        var (downLonger, _) = await _app.SendAsync(HttpMethod.Get, "/readyz", token: null);
        server.ReportSuccess(TimeSpan.FromMilliseconds(5));
        var (back, _) = await _app.SendAsync(HttpMethod.Get, "/readyz", token: null);

        Assert.Equal(HttpStatusCode.OK, downMoments);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, downLonger);
        Assert.Equal(HttpStatusCode.OK, back);
    }

    [Fact]
    public async Task Upstreams_ListHealth_AndDrainingMakesTheResolverNotReady()
    {
        var (_, list) = await _app.SendAsync(HttpMethod.Get, "/api/v1/upstreams", TestApp.ReadToken);
        using (var document = JsonDocument.Parse(list))
        {
            var upstream = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("127.0.0.1:9/udp", upstream.GetProperty("name").GetString());
            Assert.Equal("up", upstream.GetProperty("state").GetString());
        }

        var (drained, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/upstreams/drain", json: """{"name": "127.0.0.1:9/udp", "drain": true}""");
        var (notReady, _) = await _app.SendAsync(HttpMethod.Get, "/readyz", token: null);
        var (undrained, _) = await _app.SendAsync(HttpMethod.Post, "/api/v1/upstreams/drain", json: """{"name": "127.0.0.1:9/udp", "drain": false}""");
        var (ready, _) = await _app.SendAsync(HttpMethod.Get, "/readyz", token: null);
        var (unknown, _) = await _app.SendAsync(HttpMethod.Post, "/api/v1/upstreams/drain", json: """{"name": "10.9.9.9:53/udp"}""");

        Assert.Equal(HttpStatusCode.OK, drained);
        Assert.Contains("\"state\":\"drained\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady);
        Assert.Equal(HttpStatusCode.OK, undrained);
        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains(_app.Logs.Lines, l => l.Contains("AUDIT upstream 127.0.0.1:9/udp drained=True by ops from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpoint()
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Get, "/openapi/v1.json", TestApp.ReadToken);

        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var path in new[] { "/api/v1/cache/flush", "/api/v1/cache/stats", "/api/v1/cache/{name}", "/api/v1/upstreams", "/api/v1/upstreams/drain", "/healthz", "/readyz" })
        {
            Assert.Contains($"\"{path}\"", body, StringComparison.Ordinal);
        }
    }
}
