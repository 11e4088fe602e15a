using Resolver.Core.Tests.Testing;
using Resolver.Core.Watch;

namespace Resolver.Core.Tests.Watch;

/// <summary>Watched names with a probe interval are re-resolved with no client asking, and a flip shows before a user meets it.</summary>
public sealed class WatchProberTests
{
    [Fact]
    public async Task ANameWithAProbeInterval_IsResolvedOnThatInterval_AndItsFlipIsHeldAndLogged()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Watches.Set(WatchRule.TryCreate("www.test.", false, TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30), string.Empty, [])!);
        harness.Watches.Set(WatchRule.TryCreate("quiet.test.", false, TimeSpan.FromMinutes(15), probeInterval: null, string.Empty, [])!);
        var log = new ListLogger<WatchProber>();
        var prober = new WatchProber(harness.Watches, harness.Cache, harness.Processor, harness.Metrics, harness.Time, log);
        var upstream = harness.Upstreams[0];

        await prober.ProbeDueAsync(CancellationToken.None);
        var first = upstream.ReceivedQuestions.Select(q => $"{q.Name} {q.Type}").Order().ToList();
        await prober.ProbeDueAsync(CancellationToken.None); // not due again yet
        var notDue = upstream.TotalQueries;
        upstream.SetNxDomain("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(301)); // the interval, and the answers' TTL
        await prober.ProbeDueAsync(CancellationToken.None);

        Assert.Equal(["www.test. A", "www.test. AAAA"], first); // nothing cached yet: A and AAAA; the name without an interval is not probed
        Assert.Equal(2, notDue);
        Assert.Equal(4, upstream.TotalQueries);
        Assert.Equal(2, harness.Holds.Count); // both types held: the flip is seen before any client asks
        Assert.Equal(2, log.Lines.Count(l => l.EventId == 309 && l.Message.Contains("www.test.", StringComparison.Ordinal)));
    }
}
