using System.Net;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>What one upstream's record keeps: its retransmit timeout (RFC 6298) and when it is down.</summary>
public sealed class UpstreamServerTests
{
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(1500);
    private readonly ManualTimeProvider _time = new();
    private readonly UpstreamOptions _options = new() { FailuresBeforeDown = 3, Timeout = Max };

    private UpstreamServer Server() => new(new IPEndPoint(IPAddress.Loopback, 53), UpstreamTransport.Udp, null, _time);

    private static byte[] Name(string name) => DnsName.Parse(name).Wire.ToArray();

    [Fact]
    public void RetransmitTimeout_StartsAt400ms_FollowsTheRtt_AndStaysWithin50msAndTheTimeout()
    {
        var server = Server();
        Assert.Equal(TimeSpan.FromMilliseconds(400), server.RetransmitTimeout(Max));
        Assert.Equal(TimeSpan.FromMilliseconds(300), server.RetransmitTimeout(TimeSpan.FromMilliseconds(300)));

        server.ReportSuccess(TimeSpan.FromMilliseconds(100)); // SRTT 100, RTTVAR 50: RTO = 100 + 4 * 50
        Assert.Equal(TimeSpan.FromMilliseconds(300), server.RetransmitTimeout(Max));

        for (var i = 0; i < 50; i++)
        {
            server.ReportSuccess(TimeSpan.FromMilliseconds(1)); // a loopback server
        }

        Assert.Equal(TimeSpan.FromMilliseconds(50), server.RetransmitTimeout(Max));
    }

    [Fact]
    public void RetransmitTimeout_DoublesOncePerTimeoutValue_UpToTheTimeout_AndAnAnswerDropsTheBackOff()
    {
        var server = Server();
        server.ReportSuccess(TimeSpan.FromMilliseconds(100));

        server.ReportRetransmit(TimeSpan.FromMilliseconds(300), Max);
        server.ReportRetransmit(TimeSpan.FromMilliseconds(300), Max); // another question that waited as long: no second doubling
        Assert.Equal(TimeSpan.FromMilliseconds(600), server.RetransmitTimeout(Max));
        server.ReportRetransmit(TimeSpan.FromMilliseconds(600), Max);
        server.ReportRetransmit(TimeSpan.FromMilliseconds(1200), Max);
        Assert.Equal(Max, server.RetransmitTimeout(Max));

        server.ReportSuccess(TimeSpan.FromMilliseconds(100));
        var estimate = server.RetransmitTimeout(Max);
        Assert.True(estimate < TimeSpan.FromMilliseconds(600));

        server.ReportRetransmit(Max, Max); // a try sent before that answer, timing out late: the estimate stands
        Assert.Equal(estimate, server.RetransmitTimeout(Max));
    }

    [Fact]
    public void Fastest_ExploresOnlyWithinTheRttBand()
    {
        var (fast, near, far) = (Server(), Server(), Server());
        fast.ReportSuccess(TimeSpan.FromMilliseconds(1)); // RTO 50 ms
        near.ReportSuccess(TimeSpan.FromMilliseconds(100)); // 300 ms: within 400 ms of the best
        far.ReportSuccess(TimeSpan.FromMilliseconds(800)); // 1500 ms: beyond
        var pool = new UpstreamPool([far, near, fast], UpstreamPolicy.Fastest);

        var firsts = Enumerable.Range(0, 50).Select(_ => pool.Order(exploration: 1)[0]).ToList();

        Assert.DoesNotContain(far, firsts);
        Assert.All(firsts, first => Assert.Same(near, first)); // always exploring: always the other one in the band
        Assert.Equal([fast, near, far], pool.Order(exploration: 0));
    }

    [Fact]
    public void Order_ListsDownServersLast_InConfiguredOrder_AndDrainedOnesNotAtAll()
    {
        var (a, b, c, d) = (Server(), Server(), Server(), Server());
        foreach (var down in new[] { a, c })
        {
            for (var i = 0; i < _options.FailuresBeforeDown; i++)
            {
                down.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name($"n{i}.example."), _options);
            }
        }

        d.Drained = true;
        var pool = new UpstreamPool([a, b, c, d], UpstreamPolicy.Fastest);

        Assert.True(a.IsDown && c.IsDown);
        Assert.Equal([b, a, c], pool.Order(exploration: 0));
    }

    [Fact]
    public void ADemotedServer_GoesAfterTheOthersThatAreUp_BeforeTheDownOnes_UntilItsDemotionEnds()
    {
        var (a, b, c) = (Server(), Server(), Server());
        for (var i = 0; i < _options.FailuresBeforeDown; i++)
        {
            c.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name($"n{i}.example."), _options);
        }

        var pool = new UpstreamPool([a, b, c], UpstreamPolicy.Sequential);
        a.Demote(TimeSpan.FromMinutes(10));
        var demoted = pool.Order(exploration: 0);
        var until = a.DemotedUntil;
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal([b, a, c], demoted);
        Assert.Equal(_time.GetUtcNow(), until);
        Assert.Equal([a, b, c], pool.Order(exploration: 0));
        Assert.False(a.IsDemoted);
        Assert.Null(a.DemotedUntil);
    }

    [Fact]
    public void RoundRobin_StartsEachQuestionAtTheNextServer()
    {
        var (a, b, c) = (Server(), Server(), Server());
        var pool = new UpstreamPool([a, b, c], UpstreamPolicy.RoundRobin);

        var orders = Enumerable.Range(0, 3).Select(_ => pool.Order(exploration: 0)).ToList();

        Assert.Equal(3, orders.Select(o => o[0]).Distinct().Count()); // each server first once
        Assert.All(orders, order => Assert.Equal(3, order.Distinct().Count()));
        Assert.Contains(orders, order => order.SequenceEqual([b, c, a])); // rotated, the rest in configured order
    }

    [Fact]
    public void FailuresForOneName_NeverMarkTheServerDown()
    {
        var server = Server();
        for (var i = 0; i < 10; i++)
        {
            server.ReportFailure(UpstreamOutcome.ServFail, "answered SERVFAIL", Name("broken.example."), _options);
            server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("BROKEN.example."), _options);
        }

        Assert.False(server.IsDown);
        Assert.Equal(1, server.ConsecutiveFailures);
    }

    [Fact]
    public void FailuresAcrossDistinctNames_MarkItDown_AndAnAnswerInBetweenStartsTheCountAgain()
    {
        var server = Server();
        server.ReportFailure(UpstreamOutcome.ServFail, "answered SERVFAIL", Name("a.example."), _options);
        server.ReportFailure(UpstreamOutcome.ServFail, "answered SERVFAIL", Name("b.example."), _options);
        server.ReportSuccess(TimeSpan.FromMilliseconds(5));
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("c.example."), _options);
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("d.example."), _options);
        Assert.False(server.IsDown);

        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("e.example."), _options);

        Assert.True(server.IsDown);
    }

    [Fact]
    public void WhileDown_OnlyAFailedProbe_DoublesTheBackOff_LateClientTriesLeaveTheNextProbeAlone()
    {
        var options = new UpstreamOptions { FailuresBeforeDown = 1, Timeout = Max, DownBackoff = TimeSpan.FromSeconds(2) };
        var server = Server();
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("a.example."), options);
        Assert.True(server.IsDown);

        // Tries sent before it went down time out now: the probe is still due after one back-off.
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("b.example."), options);
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", Name("c.example."), options);
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(server.TryBeginProbe());
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(server.TryBeginProbe());

        // The probe fails: the next waits twice as long.
        server.ReportFailure(UpstreamOutcome.Timeout, "no answer", [0], options, probe: true);
        server.EndProbe();
        _time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.False(server.TryBeginProbe());
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(server.TryBeginProbe());
    }
}
