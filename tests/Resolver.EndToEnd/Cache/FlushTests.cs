using System.Net;
using System.Text.Json.Nodes;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Cache;

/// <summary>
/// The runbook's repair, end to end: a name that did not exist is added to the zone while NXDOMAINs for
/// it and its parent are cached; one flush of the name and the next query returns the new record.
/// </summary>
public sealed class FlushTests
{
    [Fact]
    public async Task Flushing_a_name_removes_the_parents_covering_nxdomain_too()
    {
        await using var nsd = await Nsd.StartAsync();
        // Always: NSD does not validate, and the covering NXDOMAIN is the case under test (RFC 8020).
        await using var resolver = await ResolverProcess.StartAsync([nsd.Port], configure: c => c["Cache"]!["NxDomainCut"] = "Always");

        // The child first, so both names have an NXDOMAIN of their own; the parent's also covers the child.
        var child = await Dig.QueryAsync(resolver.DnsPort, "www.nx7.test.example", "A");
        var parent = await Dig.QueryAsync(resolver.DnsPort, "nx7.test.example", "A");
        Assert.True(parent.Status == "NXDOMAIN", parent.Text);
        Assert.True(child.Status == "NXDOMAIN", child.Text);

        await nsd.AddRecordAsync("www.nx7 300 IN A 192.0.2.77", "www.nx7.test.example", "A");
        var cached = await Dig.QueryAsync(resolver.DnsPort, "www.nx7.test.example", "A");
        Assert.True(cached.Status == "NXDOMAIN", "still answered from the cache:\n" + cached.Text);

        var (status, body) = await resolver.PostAdminAsync("/api/v1/cache/flush", """{"name": "www.nx7.test.example", "negativeOnly": true}""");

        Assert.True(status == HttpStatusCode.OK, body);
        var flushed = JsonNode.Parse(body)!;
        Assert.Equal(2, flushed["removed"]!.GetValue<int>());
        Assert.Equal(
            ["nx7.test.example.", "www.nx7.test.example."],
            flushed["entries"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).Order());
        var fixedAnswer = await Dig.QueryAsync(resolver.DnsPort, "www.nx7.test.example", "A");
        Assert.True(fixedAnswer.Status == "NOERROR", fixedAnswer.Text);
        Assert.Equal("192.0.2.77", Assert.Single(fixedAnswer.Answer).Data);
    }
}
