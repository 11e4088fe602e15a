using System.Net;
using System.Text.Json;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>Three resolvers on loopback, one of them stopped: a fleet flush reaches the live peer and reports the dead one.</summary>
public sealed class FleetFlushTests
{
    [Fact]
    public async Task FleetFlush_AppliesLocallyAndOnEachPeer_AndOnePeerDownFailsOnlyItself()
    {
        await using var live = await TestApp.StartAsync();
        var stopped = await TestApp.StartAsync();
        var deadUrl = stopped.Url.ToString().TrimEnd('/');
        await stopped.DisposeAsync();
        var liveUrl = live.Url.ToString().TrimEnd('/');
        await using var origin = await TestApp.StartAsync(admin: $$"""
            "Tokens": [ { "Name": "ops", "Token": "{{TestApp.AdminToken}}", "Role": "Admin" } ],
            "FleetTimeout": "00:00:03",
            "Peers": [
              { "Name": "live", "Url": "{{liveUrl}}", "Token": "{{TestApp.AdminToken}}" },
              { "Name": "dead", "Url": "{{deadUrl}}", "Token": "{{TestApp.AdminToken}}" }
            ]
            """);
        foreach (var app in new[] { origin, live })
        {
            app.Seed("gone.example.com", DnsRecordType.A, Protocol.Messages.DnsResponseCode.NXDomain);
            app.Seed("www.example.com", DnsRecordType.A);
        }

        var (status, body) = await origin.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", json: """{"name": "www.gone.example.com", "negativeOnly": true, "fleet": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(1, document.RootElement.GetProperty("removed").GetInt32());
        var peers = document.RootElement.GetProperty("peers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(1, peers["live"].GetProperty("removed").GetInt32());
        Assert.Equal(JsonValueKind.Null, peers["live"].GetProperty("error").ValueKind);
        Assert.Equal("gone.example.com.", Assert.Single(peers["live"].GetProperty("entries").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, peers["dead"].GetProperty("removed").ValueKind);
        Assert.False(string.IsNullOrEmpty(peers["dead"].GetProperty("error").GetString()));
        Assert.Equal(1, live.Cache.Count); // the positive entry survived there too
        Assert.Contains(live.Logs.Lines, l => l.Contains("AUDIT flush by ops from 127.0.0.1: www.gone.example.com., negative only; removed 1 [gone.example.com. *]; fleet False", StringComparison.Ordinal));
        Assert.StartsWith("removed 1; fleet: live removed 1, dead failed: ", await LastAuditDetailAsync(origin), StringComparison.Ordinal);
        Assert.Equal("removed 1", await LastAuditDetailAsync(live)); // the peer audits the flush it was sent
    }

    private static async Task<string> LastAuditDetailAsync(TestApp app)
    {
        var (status, body) = await app.SendAsync(HttpMethod.Get, "/api/v1/audit");
        Assert.True(status == HttpStatusCode.OK, body);
        using var audit = JsonDocument.Parse(body);
        return audit.RootElement.GetProperty("entries")[0].GetProperty("detail").GetString()!;
    }
}
