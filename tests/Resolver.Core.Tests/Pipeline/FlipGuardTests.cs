using Microsoft.Extensions.Logging;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Tests.Upstreams;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Pipeline;

/// <summary>
/// The second opinion: a negative answer where the cache holds a positive one goes to another upstream first,
/// and stands only if that one agrees. www.test. A is cached from the first upstream (TTL 300 s) in each test.
/// </summary>
public sealed class FlipGuardTests
{
    private static readonly TimeSpan PastTtl = TimeSpan.FromSeconds(301);

    [Fact]
    public async Task OneUpstreamFlips_TheOtherHasTheAnswer_ThePositiveAnswerStays_AndTheDisagreementIsCountedLoggedAndDemoted()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 2, upstreams: OneTryEach);
        var (flipped, steady) = (harness.Upstreams[0], harness.Upstreams[1]);
        using var disagreements = DisagreementCount(flipped.EndPoint.ToString());
        await harness.AskAsync("www.test.");
        flipped.SetNxDomain("www.test.");
        harness.Time.Advance(PastTtl);

        var answer = await harness.AskAsync("www.test.");
        harness.Time.Advance(PastTtl);
        await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, answer!.ResponseCode);
        Assert.Equal("192.0.2.10", Assert.Single(answer.Answers).Data.ToString());
        Assert.Equal(1, disagreements.Value);
        var server = harness.Registry.All.Single(s => s.EndPoint.Equals(flipped.EndPoint));
        Assert.True(server.IsDemoted);
        var line = Assert.Single(harness.Log.Lines, l => l.EventId == 305);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("www.test.", line.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Name} answered NXDOMAIN", line.Message, StringComparison.Ordinal);
        Assert.Contains("192.0.2.10", line.Message, StringComparison.Ordinal);
        Assert.Same(harness.Registry.All.Single(s => s.EndPoint.Equals(steady.EndPoint)), harness.Registry.PoolFor([0]).Order(exploration: 0)[0]);
        Assert.Equal(2, flipped.TotalQueries); // the first answer and the flip; the refresh after it went to the other first
        Assert.Equal(2, steady.TotalQueries); // the second opinion and that refresh
    }

    [Fact]
    public async Task BothUpstreamsFlip_TheNegativeAnswerIsServed_WithoutADisagreement()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 2, upstreams: OneTryEach);
        using var disagreements = DisagreementCount(harness.Upstreams[0].EndPoint.ToString());
        await harness.AskAsync("www.test.");
        foreach (var upstream in harness.Upstreams)
        {
            upstream.SetNxDomain("www.test.");
        }

        harness.Time.Advance(PastTtl);
        var answer = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NXDomain, answer!.ResponseCode);
        Assert.Equal(1, harness.Upstreams[1].TotalQueries); // it was asked, and agreed
        Assert.Equal(0, disagreements.Value);
        Assert.DoesNotContain(harness.Log.Lines, l => l.EventId == 305);
    }

    [Fact]
    public async Task WithOneUpstream_TheFlipIsServedOnceThePositiveTtlEnds()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        await harness.AskAsync("www.test.");
        harness.Upstreams[0].SetNxDomain("www.test.");

        harness.Time.Advance(TimeSpan.FromSeconds(299));
        var fresh = await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var flipped = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, fresh!.ResponseCode);
        Assert.Equal(DnsResponseCode.NXDomain, flipped!.ResponseCode);
    }

    [Fact]
    public async Task WithNoPositiveAnswerCached_OrTheSecondOpinionOff_NoOtherUpstreamIsAsked()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 2, upstreams: OneTryEach);
        harness.Upstreams[0].SetNxDomain("new.test.");
        harness.Upstreams[1].AddRecord("new.test.", "A", "192.0.2.99");
        await using var off = await ResolverHarness.StartAsync(count: 2, upstreams: o => (o.SecondOpinion, o.MaxAttempts) = (false, 1));
        await off.AskAsync("www.test.");
        off.Upstreams[0].SetNxDomain("www.test.");
        off.Time.Advance(PastTtl);

        var unknown = await harness.AskAsync("new.test.");
        var flipped = await off.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NXDomain, unknown!.ResponseCode);
        Assert.Equal(DnsResponseCode.NXDomain, flipped!.ResponseCode);
        Assert.Equal(0, harness.Upstreams[1].TotalQueries);
        Assert.Equal(0, off.Upstreams[1].TotalQueries);
    }

    [Fact]
    public async Task AWatchedNameThatFlips_KeepsItsLastGoodAnswerStaleThroughTheHold_ThenTheNegativeAnswerIsServed()
    {
        await using var harness = await WatchedAndFlippedAsync(Rule("www.test.", TimeSpan.FromMinutes(15)));

        var held = await harness.AskAsync("www.test.");
        var holdsThen = (harness.Holds.Count, harness.Holds.Started);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var waiting = await harness.AskAsync("www.test."); // within the back-off: upstream is not asked
        var asked = harness.Upstreams[0].TotalQueries;
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        var stillHeld = await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromMinutes(6));
        var lasted = await harness.AskAsync("www.test.");

        foreach (var answer in new[] { held, waiting, stillHeld })
        {
            Assert.Equal(DnsResponseCode.NoError, answer!.ResponseCode);
            var record = Assert.Single(answer.Answers);
            Assert.Equal(("192.0.2.10", 30u), (record.Data.ToString(), record.Ttl)); // Cache:StaleAnswerTtl
            Assert.Equal(ExtendedErrorCode.StaleAnswer, answer.Edns!.GetOption<ExtendedErrorOption>()!.InfoCode);
        }

        Assert.Equal((1, 1L), holdsThen);
        Assert.Equal(2, asked); // the first answer and the flip; the query within the back-off went nowhere
        Assert.Equal(DnsResponseCode.NXDomain, lasted!.ResponseCode);
        Assert.Equal(0, harness.Holds.Count);
        var began = Assert.Single(harness.Log.Lines, l => l.EventId == 306);
        Assert.Equal(LogLevel.Warning, began.Level);
        Assert.Contains("www.test.", began.Message, StringComparison.Ordinal);
        Assert.Contains("answered NXDOMAIN", began.Message, StringComparison.Ordinal);
        Assert.Single(harness.Log.Lines, l => l.EventId == 308);
    }

    [Fact]
    public async Task AWatchedNameThatComesBackDuringTheHold_EndsItAtOnce()
    {
        await using var harness = await WatchedAndFlippedAsync(Rule("test.", TimeSpan.FromMinutes(15), subtree: true));
        await harness.AskAsync("www.test.");
        harness.Upstreams[0].AddRecord("www.test.", "A", "192.0.2.10");

        harness.Time.Advance(TimeSpan.FromSeconds(3));
        var back = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, back!.ResponseCode);
        Assert.Equal(300u, Assert.Single(back.Answers).Ttl); // fresh from upstream, not the stale copy
        Assert.Null(back.Edns!.GetOption<ExtendedErrorOption>());
        Assert.Equal(0, harness.Holds.Count);
        Assert.Single(harness.Log.Lines, l => l.EventId == 307);
    }

    [Fact]
    public async Task AnotherTypesNxdomain_ForAHeldName_IsServedButNotCachedOverTheHeldAnswer()
    {
        await using var harness = await WatchedAndFlippedAsync(Rule("www.test.", TimeSpan.FromMinutes(15)));
        await harness.AskAsync("www.test."); // held

        var other = await harness.AskAsync("www.test.", DnsRecordType.MX);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var held = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NXDomain, other!.ResponseCode);
        Assert.Equal("192.0.2.10", Assert.Single(held!.Answers).Data.ToString());
        Assert.Equal(ExtendedErrorCode.StaleAnswer, held.Edns!.GetOption<ExtendedErrorOption>()!.InfoCode);
    }

    [Fact]
    public async Task AWatchedNameWhoseUpstreamsAllFail_IsHeld_AnUnwatchedOneServedStaleOnly()
    {
        await using var watched = await ResolverHarness.StartAsync(count: 1);
        await using var unwatched = await ResolverHarness.StartAsync(count: 1);
        watched.Watches.Set(Rule("www.test.", TimeSpan.FromMinutes(15)));
        foreach (var harness in new[] { watched, unwatched })
        {
            await harness.AskAsync("www.test.");
            harness.Upstreams[0].Behavior = FakeBehavior.ServFail;
            harness.Time.Advance(PastTtl);
        }

        var held = await watched.AskAsync("www.test.");
        var stale = await unwatched.AskAsync("www.test.");

        Assert.Equal("192.0.2.10", Assert.Single(held!.Answers).Data.ToString());
        Assert.Equal(ExtendedErrorCode.StaleAnswer, held.Edns!.GetOption<ExtendedErrorOption>()!.InfoCode);
        Assert.Equal(1, watched.Holds.Count);
        Assert.Contains("ServFail", Assert.Single(watched.Log.Lines, l => l.EventId == 306).Message, StringComparison.Ordinal);
        Assert.Equal("192.0.2.10", Assert.Single(stale!.Answers).Data.ToString()); // RFC 8767 as before
        Assert.Equal(0, unwatched.Holds.Count);
    }

    /// <summary>One upstream, <paramref name="rule"/> watched, www.test. A cached; then the upstream says NXDOMAIN and the answer has expired.</summary>
    private static async Task<ResolverHarness> WatchedAndFlippedAsync(WatchRule rule)
    {
        var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Watches.Set(rule);
        await harness.AskAsync("www.test.");
        harness.Upstreams[0].SetNxDomain("www.test.");
        harness.Time.Advance(PastTtl);
        return harness;
    }

    /// <summary>No retransmit to the other upstream (a slow first answer on a busy machine would send one): each upstream is asked only when a test means it.</summary>
    private static void OneTryEach(UpstreamOptions options) => options.MaxAttempts = 1;

    private static WatchRule Rule(string name, TimeSpan hold, bool subtree = false) =>
        WatchRule.TryCreate(name, subtree, hold, probeInterval: null, string.Empty, []) ?? throw new ArgumentException(name);

    /// <summary>resolver.upstream.disagreements for one upstream (tests run side by side, each with its own fakes).</summary>
    private static InstrumentCount DisagreementCount(string endPoint) =>
        new("resolver.upstream.disagreements", InstrumentCount.Tag("upstream", name => name.StartsWith(endPoint + "/", StringComparison.Ordinal)));
}
