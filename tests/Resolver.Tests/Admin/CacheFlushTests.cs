using System.Net;
using System.Text.Json;
using Resolver.Core.Cache;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>Each flush kind against the real cache removes exactly what it should and nothing else.</summary>
public sealed class CacheFlushTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _app.Seed("www.example.com", DnsRecordType.A);
        _app.Seed("www.example.com", DnsRecordType.AAAA);
        _app.Seed("www.example.com", DnsRecordType.MX, ttl: 60); // NODATA
        _app.Seed("gone.example.com", DnsRecordType.A, DnsResponseCode.NXDomain);
        _app.Seed("a.b.example.com", DnsRecordType.A);
        _app.Seed("c.example.com", DnsRecordType.A);
        _app.Seed("www.example.net", DnsRecordType.A);
        _app.Seed("nx.example.net", DnsRecordType.A, DnsResponseCode.NXDomain);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private async Task<int> FlushAsync(string json)
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: json);
        Assert.True(status == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(0, document.RootElement.GetProperty("peers").GetArrayLength());
        return document.RootElement.GetProperty("removed").GetInt32();
    }

    private bool Cached(string name, DnsRecordType type) =>
        _app.Cache.Lookup(CacheKey.Create(DnsName.Parse(name).Wire, type, DnsClass.IN, CacheFlags.None)).State != CacheLookupState.Miss;

    [Fact]
    public async Task TheRoot_CanBeNamed_AndOnlyItsOwnEntriesGo()
    {
        _app.Seed(".", DnsRecordType.NS);

        var removed = await FlushAsync("""{"name": "."}""");

        Assert.Equal(1, removed);
        Assert.False(Cached(".", DnsRecordType.NS));
        Assert.True(Cached("www.example.net", DnsRecordType.A));
    }

    [Fact]
    public async Task ExactName_RemovesEveryTypeOfThatNameOnly()
    {
        Assert.Equal(3, await FlushAsync("""{"name": "WWW.example.com"}"""));

        Assert.False(Cached("www.example.com", DnsRecordType.A));
        Assert.False(Cached("www.example.com", DnsRecordType.MX));
        Assert.True(Cached("www.example.net", DnsRecordType.A));
        Assert.True(Cached("a.b.example.com", DnsRecordType.A));
    }

    [Fact]
    public async Task ExactNameAndType_RemovesThatTypeOnly()
    {
        Assert.Equal(1, await FlushAsync("""{"name": "www.example.com", "type": "aaaa"}"""));

        Assert.False(Cached("www.example.com", DnsRecordType.AAAA));
        Assert.True(Cached("www.example.com", DnsRecordType.A));
    }

    [Fact]
    public async Task Subtree_RemovesTheBranch_AndSiblingsSurvive()
    {
        Assert.Equal(1, await FlushAsync("""{"name": "b.example.com", "subtree": true}"""));

        Assert.False(Cached("a.b.example.com", DnsRecordType.A));
        Assert.True(Cached("c.example.com", DnsRecordType.A));
        Assert.True(Cached("www.example.com", DnsRecordType.A));
    }

    [Fact]
    public async Task NegativeOnlyInASubtree_KeepsPositiveEntries_AndOtherZones()
    {
        Assert.Equal(2, await FlushAsync("""{"name": "example.com", "subtree": true, "negativeOnly": true}"""));

        Assert.False(Cached("gone.example.com", DnsRecordType.A));
        Assert.False(Cached("www.example.com", DnsRecordType.MX));
        Assert.True(Cached("www.example.com", DnsRecordType.A));
        Assert.True(Cached("nx.example.net", DnsRecordType.A));
    }

    [Theory]
    [InlineData("""{"name": "www.gone.example.com", "negativeOnly": true}""")]
    [InlineData("""{"name": "www.gone.example.com", "subtree": true}""")]
    [InlineData("""{"name": "www.gone.example.com", "type": "AAAA"}""")]
    public async Task NameBelowACachedNxDomain_RemovesTheCoveringNxDomain_AndSaysSo(string json)
    {
        Assert.True(Cached("www.gone.example.com", DnsRecordType.A)); // answered by gone.example.com's NXDOMAIN (RFC 8020)

        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: json);

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(1, document.RootElement.GetProperty("removed").GetInt32());
        Assert.False(document.RootElement.GetProperty("truncated").GetBoolean());
        var entry = Assert.Single(document.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("gone.example.com.", entry.GetProperty("name").GetString());
        Assert.Equal("*", entry.GetProperty("type").GetString());
        Assert.Equal("NxDomain", entry.GetProperty("kind").GetString());
        Assert.False(Cached("www.gone.example.com", DnsRecordType.A));
        Assert.True(Cached("nx.example.net", DnsRecordType.A)); // another zone's NXDOMAIN stays
        Assert.True(Cached("www.example.com", DnsRecordType.MX));
    }

    [Fact]
    public async Task ManyEntries_ListsTheFirst100_AndSaysTruncated()
    {
        for (var i = 0; i < 150; i++)
        {
            _app.Seed($"n{i}.many.example.org", DnsRecordType.A);
        }

        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: """{"name": "many.example.org", "subtree": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(150, document.RootElement.GetProperty("removed").GetInt32());
        Assert.Equal(100, document.RootElement.GetProperty("entries").GetArrayLength());
        Assert.True(document.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Contains(_app.Logs.Lines, l => l.Contains("removed 150 [n", StringComparison.Ordinal) && l.EndsWith(", …]; fleet False", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StaleOnly_RemovesExpiredEntriesOnly()
    {
        _app.Time.Advance(TimeSpan.FromSeconds(120)); // the 60 s NODATA is now stale, the 300 s entries are not

        Assert.Equal(1, await FlushAsync("""{"all": true, "staleOnly": true}"""));

        Assert.False(Cached("www.example.com", DnsRecordType.MX));
        Assert.True(Cached("www.example.com", DnsRecordType.A));
    }

    [Fact]
    public async Task All_RemovesEverything_AndIsAudited()
    {
        Assert.Equal(8, await FlushAsync("""{"all": true}"""));

        Assert.Equal(0, _app.Cache.Count);
        Assert.Contains(_app.Logs.Lines, l => l.Contains("AUDIT flush by ops from 127.0.0.1: everything; removed 8", StringComparison.Ordinal));
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains(TestApp.AdminToken, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"name": "bad..name"}""", "not a valid domain name")]
    [InlineData("""{"name": "example.com", "type": "NOPE"}""", "not a DNS record type")]
    [InlineData("""{"name": "example.com", "all": true}""", "not both")]
    [InlineData("""{}""", "Give a name")]
    [InlineData("""{"all": true, "subtree": true}""", "subtree goes with a name")]
    [InlineData("""{"name": 42}""", "")]
    [InlineData("""{"name": "example.com", "subtree": "yes"}""", "")]
    [InlineData("""not json""", "")]
    public async Task BadRequest_Is400WithProblemDetails_AndChangesNothing(string json, string detail)
    {
        var before = _app.Cache.Count;

        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(detail, body, StringComparison.Ordinal);
        Assert.Equal(before, _app.Cache.Count);
    }
}
