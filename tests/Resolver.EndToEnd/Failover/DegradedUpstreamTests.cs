using System.Net;
using System.Text.Json.Nodes;
using Resolver.Core.Tests.Upstreams;
using Resolver.EndToEnd.Peers;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.EndToEnd.Failover;

/// <summary>
/// The resolver process with the product's upstream defaults, its first upstream misbehaving in one way
/// (the fake, in this process) and its second a healthy NSD, under a steady client load of names never
/// asked before: every question is answered, none with SERVFAIL. The short CI version of the fault modes
/// that benchmarks/load/harness.sh measures against Unbound.
/// </summary>
public sealed class DegradedUpstreamTests
{
    private const int Names = 200;
    private const int QueriesPerSecond = 50; // four seconds of load: two turns of a flapping upstream
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(6); // past the 4 s question deadline

    public static TheoryData<string> Modes => ["refusing", "slow", .. Enum.GetNames<FakeBehavior>().Where(m => m != nameof(FakeBehavior.Answer) && m != nameof(FakeBehavior.Truncate))];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task With_one_healthy_upstream_every_new_name_is_answered_and_none_fails(string mode)
    {
        await using var nsd = await Nsd.StartAsync();
        await using var fake = await FakeUpstream.StartAsync();
        if (Enum.TryParse<FakeBehavior>(mode, out var behavior))
        {
            fake.Behavior = behavior;
        }
        else if (mode == "slow")
        {
            fake.Delay = TimeSpan.FromMilliseconds(800); // answers, but later than the next try
        }

        var first = mode == "refusing" ? FreePorts.Next() : fake.EndPoint.Port; // nothing listens: ICMP port unreachable
        await using var resolver = await ResolverProcess.StartAsync([first, nsd.Port], configure: ProductUpstreamDefaults);

        var codes = await LoadAsync(resolver.DnsPort, mode);

        var lost = codes.Count(c => c is null);
        var servFails = codes.Count(c => c == DnsResponseCode.ServFail);
        var summary = $"{mode}: {lost} lost, {servFails} SERVFAIL of {Names}; fake got {fake.UdpQueries} UDP, {fake.TcpQueries} TCP\n{resolver.Log}";
        Assert.True(lost == 0 && servFails == 0, summary);
        Assert.All(codes, c => Assert.Equal(DnsResponseCode.NXDomain, c)); // what NSD says of them: the zone has none of these names
    }

    [Fact]
    public async Task A_silent_upstream_that_answers_again_is_back_in_use_within_one_back_off_period()
    {
        var backoff = TimeSpan.FromSeconds(2);
        await using var nsd = await Nsd.StartAsync();
        await using var fake = await FakeUpstream.StartAsync();
        fake.Behavior = FakeBehavior.Drop;
        await using var resolver = await ResolverProcess.StartAsync([fake.EndPoint.Port, nsd.Port], configure: root =>
        {
            ProductUpstreamDefaults(root);
            root["Upstreams"]!["DownBackoff"] = backoff.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        });

        // Silent across names: down. The questions are answered by NSD meanwhile.
        var codes = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => AskAsync(resolver.DnsPort, $"d{i}.test.example.")));
        Assert.All(codes, c => Assert.Equal(DnsResponseCode.NXDomain, c));
        Assert.Equal("down", await FirstStateAsync(resolver, until: "down", TimeSpan.FromSeconds(10)));

        fake.Behavior = FakeBehavior.Answer;
        var returned = System.Diagnostics.Stopwatch.StartNew();
        var state = await FirstStateAsync(resolver, until: "up", backoff + TimeSpan.FromSeconds(4));

        Assert.True(state == "up", $"still {state} {returned.Elapsed.TotalSeconds:F1} s after it answered again\n{resolver.Log}");
        Assert.True(returned.Elapsed < backoff + TimeSpan.FromSeconds(2), $"back after {returned.Elapsed.TotalSeconds:F1} s; the back-off is {backoff.TotalSeconds} s and probes run every second");
    }

    /// <summary>The first upstream's state (up, down, drained) once it is <paramref name="until"/>, or when <paramref name="limit"/> has passed.</summary>
    private static async Task<string> FirstStateAsync(ResolverProcess resolver, string until, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var state = JsonNode.Parse(await resolver.GetAdminAsync("/api/v1/upstreams"))!.AsArray()[0]!["state"]!.GetValue<string>();
            if (state == until || clock.Elapsed > limit)
            {
                return state;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Back to the shipped upstream settings (the other end-to-end tests shorten them).</summary>
    private static void ProductUpstreamDefaults(JsonObject configuration)
    {
        var upstreams = configuration["Upstreams"]!.AsObject();
        upstreams.Remove("Timeout");
        upstreams.Remove("MaxAttempts");
        upstreams.Remove("FailuresBeforeDown");
    }

    /// <summary>Asks <see cref="Names"/> new names at a steady rate, each waited for on its own; the RCODE of each, or null when none came.</summary>
    private static async Task<DnsResponseCode?[]> LoadAsync(int port, string mode)
    {
        var asked = new List<Task<DnsResponseCode?>>();
        for (var i = 0; i < Names; i++)
        {
            asked.Add(AskAsync(port, $"n{i}-{mode.ToLowerInvariant()}.test.example."));
            await Task.Delay(1000 / QueriesPerSecond);
        }

        return await Task.WhenAll(asked);
    }

    private static async Task<DnsResponseCode?> AskAsync(int port, string name) =>
        (await DnsWire.AskUdpAsync(port, name, DnsRecordType.A, ClientTimeout))?.ResponseCode;
}
