using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Resolver.EndToEnd.Peers;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.EndToEnd.Fleet;

/// <summary>
/// The fleet of the README: three resolvers behind dnsdist (deploy/dnsdist.conf on loopback), one NSD upstream.
/// Clients asking dnsdist see no failure when one resolver stops, and one fleet flush clears a negative answer on all
/// three. Clients ask as stub resolvers do: a second try after a second without an answer.
/// </summary>
public sealed class DnsdistFleetTests
{
    private static readonly TimeSpan s_try = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_stopped_resolver_fails_no_client_and_one_fleet_flush_clears_a_negative_answer_everywhere()
    {
        await using var nsd = await Nsd.StartAsync();
        await using var second = await ResolverProcess.StartAsync([nsd.Port]);
        await using var third = await ResolverProcess.StartAsync([nsd.Port]);
        await using var first = await ResolverProcess.StartAsync([nsd.Port], configure: root => root["Admin"]!["Peers"] = new JsonArray(
            [.. new[] { second, third }.Select((peer, i) => (JsonNode)new JsonObject
            {
                ["Name"] = $"resolver-{i + 2}",
                ["Url"] = $"http://127.0.0.1:{peer.AdminPort.ToString(CultureInfo.InvariantCulture)}",
                ["Token"] = ResolverProcess.AdminToken,
            })]));
        await using var dnsdist = await Dnsdist.StartAsync([first.DnsPort, second.DnsPort, third.DnsPort]);

        // A name that does not exist yet, cached as NXDOMAIN by every resolver; then it appears upstream.
        foreach (var resolver in new[] { first, second, third })
        {
            Assert.Equal(DnsResponseCode.NXDomain, (await AskAsync(resolver.DnsPort, "new.fleet.test.example."))?.ResponseCode);
        }

        await nsd.AddRecordAsync("new.fleet 300 IN A 192.0.2.99", "new.fleet.test.example", "A");
        Assert.Equal(DnsResponseCode.NXDomain, (await AskAsync(dnsdist.Port, "new.fleet.test.example."))?.ResponseCode); // cached

        var (status, body) = await first.PostAdminAsync("/api/v1/cache/flush", """{"name": "new.fleet.test.example", "negativeOnly": true, "fleet": true}""");
        Assert.True(status == HttpStatusCode.OK, body);
        foreach (var resolver in new[] { first, second, third })
        {
            var answer = await AskAsync(resolver.DnsPort, "new.fleet.test.example.");
            Assert.Equal("192.0.2.99", Assert.Single(answer!.Answers).Data.ToString());
        }

        // Clients keep asking dnsdist while the second resolver stops.
        var load = Task.Run(async () =>
        {
            var answers = new List<DnsMessage?>();
            for (var i = 0; i < 150; i++)
            {
                answers.Add(await AskAsync(dnsdist.Port, i % 2 == 0 ? "www.test.example." : $"n{i}.fleet.test.example."));
                await Task.Delay(20);
            }

            return answers;
        });
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await second.TerminateAsync());
        var answered = await load;

        var failed = answered.Count(a => a is null || a.ResponseCode == DnsResponseCode.ServFail);
        Assert.True(failed == 0, $"{failed} of {answered.Count} queries through dnsdist failed while a resolver stopped\n{second.Log}");
    }

    /// <summary>One question as a stub resolver asks it: a second try when the first gets no answer within a second.</summary>
    private static async Task<DnsMessage?> AskAsync(int port, string name) =>
        await DnsWire.AskUdpAsync(port, name, DnsRecordType.A, s_try) ?? await DnsWire.AskUdpAsync(port, name, DnsRecordType.A, s_try);
}
