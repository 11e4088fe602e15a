using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>Integration over loopback: the real upstream client against fake upstreams that misbehave.</summary>
public class UpstreamClientTests
{
    [Theory]
    [InlineData(FakeBehavior.Drop)]
    [InlineData(FakeBehavior.ServFail)]
    [InlineData(FakeBehavior.Refused)]
    [InlineData(FakeBehavior.Garbage)]
    [InlineData(FakeBehavior.WrongId)]
    [InlineData(FakeBehavior.WrongQuestion)]
    [InlineData(FakeBehavior.CutShort)]
    [InlineData(FakeBehavior.WrongSource)]
    [InlineData(FakeBehavior.TruncateThenReset)]
    public async Task FirstUpstreamMisbehaves_AnswerComesFromTheSecond(FakeBehavior behavior)
    {
        await using var harness = await ResolverHarness.StartAsync();
        harness.Upstreams[0].Behavior = behavior;

        var response = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, response!.ResponseCode);
        Assert.Equal("192.0.2.10", Assert.Single(response.Answers).Data.ToString());
        Assert.Equal(1, harness.Upstreams[0].UdpQueries); // (and once over TCP after a TC=1)
        Assert.Equal(1, harness.Upstreams[1].TotalQueries);
        var first = harness.Registry.All.First();
        Assert.Equal(1, first.ConsecutiveFailures);
        Assert.NotNull(first.LastError);
    }

    [Fact]
    public async Task SpoofedReplies_AreIgnored_NotCached()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Upstreams[0].Behavior = FakeBehavior.WrongId;

        var response = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.ServFail, response!.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public async Task TruncatedUdpAnswer_IsFetchedAgainOverTcp()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Upstreams[0].Behavior = FakeBehavior.Truncate;

        var response = await harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), Resolver.Core.Pipeline.DnsTransport.Tcp);

        Assert.Equal("192.0.2.10", Assert.Single(response!.Answers).Data.ToString());
        Assert.Equal(1, harness.Upstreams[0].UdpQueries);
        Assert.Equal(1, harness.Upstreams[0].TcpQueries);
    }

    [Fact]
    public async Task AnUdpAnswerTooLargeToReceive_IsFetchedAgainOverTcp()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        var upstream = harness.Upstreams[0];
        upstream.IgnoresUdpSize = true;
        upstream.Responder = query =>
        {
            var response = FakeUpstream.CreateResponse(query, DnsResponseCode.NoError);
            for (var i = 0; i < 300; i++) // 300 A records: about 5 KB, more than a UDP answer may be
            {
                response.Answers.Add(new DnsResourceRecord(query.Questions[0].Name, 300, new AData(new System.Net.IPAddress([192, 0, 2, (byte)i]))));
            }

            return response;
        };

        var response = await harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), Resolver.Core.Pipeline.DnsTransport.Tcp);

        Assert.Equal(300, response!.Answers.Count);
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(1, upstream.TcpQueries);
    }

    [Fact]
    public async Task TruncatedAnswers_AreFetchedOverOneKeptTcpConnection()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Upstreams[0].Behavior = FakeBehavior.Truncate;

        foreach (var name in new[] { "www.test.", "short.test." })
        {
            Assert.NotEmpty((await harness.AskAsync(ResolverHarness.Query(name, DnsRecordType.A), Resolver.Core.Pipeline.DnsTransport.Tcp))!.Answers);
        }

        Assert.Equal(2, harness.Upstreams[0].TcpQueries);
        Assert.Equal(1, harness.Upstreams[0].TcpConnections);
    }

    [Fact]
    public async Task TcpUpstream_KeepsItsConnection_QuestionAfterQuestion()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Servers[0].Transport = UpstreamTransport.Tcp);

        foreach (var name in new[] { "www.test.", "short.test.", "nothing.test." })
        {
            Assert.NotNull(await harness.AskAsync(name));
        }

        Assert.Equal(3, harness.Upstreams[0].TcpQueries);
        Assert.Equal(1, harness.Upstreams[0].TcpConnections);
    }

    [Fact]
    public async Task PipelinedQuestions_TakeTheirAnswersInTheOrderTheyCome()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o =>
        {
            o.Servers[0].Transport = UpstreamTransport.Tcp;
            o.Timeout = TimeSpan.FromSeconds(3); // no retransmit while the slow ones wait
        });
        var upstream = harness.Upstreams[0];
        upstream.NameDelays["slow1.test."] = upstream.NameDelays["slow2.test."] = TimeSpan.FromSeconds(1);

        var slow = Task.WhenAll(harness.AskAsync("slow1.test."), harness.AskAsync("slow2.test.")); // both connections busy
        await Task.Delay(200);
        var fast = harness.AskAsync("www.test."); // so it queues behind a slow one on the same connection

        Assert.Same(fast, await Task.WhenAny(fast, slow));
        Assert.Equal("192.0.2.10", Assert.Single((await fast)!.Answers).Data.ToString());
        Assert.All(await slow, r => Assert.Equal(DnsResponseCode.NXDomain, r!.ResponseCode));
        Assert.Equal(StreamConnectionPool.MaxConnections, upstream.TcpConnections);
        Assert.Equal(3, upstream.TcpQueries);
    }

    [Fact]
    public async Task AConnectionTheServerClosed_IsReplaced_WithoutCountingAgainstIt()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Servers[0].Transport = UpstreamTransport.Tcp);
        harness.Upstreams[0].ClosesAfterAnswer = true;

        foreach (var name in new[] { "www.test.", "short.test.", "nothing.test." })
        {
            Assert.NotEqual(DnsResponseCode.ServFail, (await harness.AskAsync(name))!.ResponseCode);
        }

        Assert.Equal(3, harness.Upstreams[0].TcpConnections);
        Assert.Equal(0, harness.Registry.All.Single().ConsecutiveFailures);
    }

    [Fact]
    public async Task TcpTransport_IsUsedDirectly()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Servers[0].Transport = UpstreamTransport.Tcp);

        var response = await harness.AskAsync("www.test.");

        Assert.Single(response!.Answers);
        Assert.Equal(0, harness.Upstreams[0].UdpQueries);
        Assert.Equal(1, harness.Upstreams[0].TcpQueries);
    }

    [Fact]
    public async Task Hedging_AsksTheNextUpstreamWhenTheFirstIsSlow()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o =>
        {
            o.Hedging = true;
            o.HedgeDelay = TimeSpan.FromMilliseconds(50);
            o.Timeout = TimeSpan.FromSeconds(30);
        });
        harness.Upstreams[0].Delay = TimeSpan.FromSeconds(30);

        // Without hedging this would wait the 30 s timeout; AskAsync gives up after 10 s.
        var response = await harness.AskAsync("www.test.");

        Assert.Single(response!.Answers);
        Assert.Equal(1, harness.Upstreams[0].TotalQueries);
        Assert.Equal(1, harness.Upstreams[1].TotalQueries);
    }

    [Fact]
    public async Task WithoutHedging_AnUpstreamAnsweringWithinItsRetransmitTimeout_IsTheOnlyOneAsked()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o => o.Timeout = TimeSpan.FromSeconds(5));
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(100); // within the 400 ms of a server not yet measured

        var response = await harness.AskAsync("www.test.");

        Assert.Single(response!.Answers);
        Assert.Equal(0, harness.Upstreams[1].TotalQueries);
    }

    [Fact]
    public async Task QueryIds_AreRandomPerQuery_QueriesInFlightTogether_GoFromDistinctRandomPorts()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.MaxAttempts = 1); // one query each, even if a loaded machine answers past the first RTO
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(200); // all twenty out at once: none can reuse another's socket

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => harness.AskAsync(ResolverHarness.Query($"n{i}.test.", DnsRecordType.A))));

        var received = harness.Upstreams[0].Received;
        Assert.Equal(20, received.Count);
        Assert.True(received.Select(r => r.Id).Distinct().Count() >= 18, "IDs repeat");
        Assert.True(received.Select(r => r.From.Port).Distinct().Count() >= 18, "source ports repeat");
        Assert.All(received, r => Assert.InRange(r.From.Port, 1024, 65535));
    }

    [Fact]
    public async Task CaseRandomization_SendsMixedCase_AndAcceptsTheEcho()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.CaseRandomization = true);

        for (var i = 0; i < 8; i++)
        {
            var response = await harness.AskAsync(ResolverHarness.Query($"casing{i}.www.test.", DnsRecordType.A));
            Assert.NotEqual(DnsResponseCode.ServFail, response!.ResponseCode);
        }

        var names = harness.Upstreams[0].ReceivedQuestions.Select(q => q.Name.ToString()).ToList();
        Assert.Contains(names, n => n.Any(char.IsAsciiLetterUpper));
        Assert.Contains(names, n => n.Any(char.IsAsciiLetterLower));
    }

    [Fact]
    public async Task CaseRandomization_RejectsAnUpstreamThatDoesNotEchoTheCase()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.CaseRandomization = true);
        harness.Upstreams[0].Responder = query =>
        {
            var lowered = new DnsMessage { Id = query.Id, IsResponse = true, RecursionAvailable = true };
            lowered.Questions.Add(query.Questions[0] with { Name = query.Questions[0].Name.ToLowerInvariant() });
            return lowered;
        };

        var response = await harness.AskAsync(ResolverHarness.Query("mixedcaseresponse.test.", DnsRecordType.A));

        Assert.Equal(DnsResponseCode.ServFail, response!.ResponseCode);
    }

    [Fact]
    public async Task ALostAnswer_CostsARetransmit_NotAServFail_NorTheServersHealth()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.MaxAttempts = 3);
        var upstream = harness.Upstreams[0];
        var seen = 0;
        upstream.Responder = query => Interlocked.Increment(ref seen) == 1 ? null : upstream.BuildZoneAnswer(query); // the first answer is lost

        var response = await harness.AskAsync("www.test.");

        Assert.Equal("192.0.2.10", Assert.Single(response!.Answers).Data.ToString());
        Assert.Equal(2, upstream.UdpQueries); // the same server, once more after its retransmit timeout
        var server = harness.Registry.All.Single();
        Assert.Equal(0, server.ConsecutiveFailures);
        Assert.True(server.RetransmitTimeout(TimeSpan.FromSeconds(10)) < UpstreamServer.InitialRetransmitTimeout); // measured on the answer
    }

    [Fact]
    public async Task ARetry_SkipsAServerBackedOffFarBeyondTheBest()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 3);
        harness.Upstreams[0].Behavior = FakeBehavior.Drop;
        var backedOff = harness.Registry.All.ElementAt(1);
        backedOff.ReportRetransmit(UpstreamServer.InitialRetransmitTimeout, harness.UpstreamOptions.Timeout); // 800 ms
        backedOff.ReportRetransmit(TimeSpan.FromMilliseconds(800), harness.UpstreamOptions.Timeout); // 1500 ms: past the 400 ms band

        var response = await harness.AskAsync("www.test.");

        Assert.Single(response!.Answers);
        Assert.Equal(0, harness.Upstreams[1].TotalQueries);
        Assert.Equal(1, harness.Upstreams[2].TotalQueries);
    }

    [Fact]
    public async Task ASlowAnswer_WithinTheQueryDeadline_IsTaken_WhateverTheRetransmitTimeout()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Timeout = TimeSpan.FromMilliseconds(100));
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(600); // well past the 100 ms the tries may wait, within the 4 s deadline

        var response = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, response!.ResponseCode);
        Assert.Single(response.Answers);
    }

    [Fact]
    public async Task ASilentUpstream_GoesDownAfterFailingAcrossNames_WhileTheOtherAnswersEveryQuestion()
    {
        await using var harness = await ResolverHarness.StartAsync();
        harness.Upstreams[0].Behavior = FakeBehavior.Drop;
        var silent = harness.Registry.All.First();

        foreach (var name in new[] { "a.test.", "b.test.", "c.test.", "d.test." })
        {
            Assert.Equal(DnsResponseCode.NXDomain, (await harness.AskAsync(name))!.ResponseCode); // answered by the second
        }

        Assert.True(silent.IsDown);
        Assert.Equal(3, harness.Upstreams[0].UdpQueries); // down after three names: the fourth went straight to the second
        Assert.Equal(4, harness.Upstreams[1].UdpQueries);
    }

    [Fact]
    public async Task ABrokenName_SERVFAILingEverywhere_LeavesTheUpstreamsUp()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o => o.FailuresBeforeDown = 2);
        foreach (var upstream in harness.Upstreams)
        {
            upstream.Responder = query => query.Questions[0].Name.ToString() == "broken.test."
                ? FakeUpstream.CreateResponse(query, DnsResponseCode.ServFail)
                : upstream.BuildZoneAnswer(query);
        }

        foreach (var type in new[] { DnsRecordType.A, DnsRecordType.AAAA, DnsRecordType.TXT, DnsRecordType.MX })
        {
            Assert.Equal(DnsResponseCode.ServFail, (await harness.AskAsync("broken.test.", type))!.ResponseCode);
        }

        Assert.All(harness.Registry.All, server => Assert.False(server.IsDown));
        Assert.Equal(DnsResponseCode.NoError, (await harness.AskAsync("www.test."))!.ResponseCode);
        Assert.Equal(5, harness.Upstreams[0].TotalQueries); // still first in line
    }

    [Fact]
    public async Task PassiveHealth_MarksAFailingUpstreamDown_AndSkipsIt()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o => o.FailuresBeforeDown = 2);
        harness.Upstreams[0].Behavior = FakeBehavior.ServFail;

        await harness.AskAsync("a.test.");
        await harness.AskAsync("b.test.");
        var first = harness.Registry.All.First();
        Assert.True(first.IsDown);
        Assert.NotNull(first.DownSince);

        await harness.AskAsync("c.test.");

        Assert.Equal(2, harness.Upstreams[0].TotalQueries); // not asked for c.test.
        Assert.Equal(3, harness.Upstreams[1].TotalQueries);
    }

    [Fact]
    public async Task Probe_BringsADownUpstreamBack()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o =>
        {
            o.FailuresBeforeDown = 1;
            o.DownBackoff = TimeSpan.FromMilliseconds(1);
        });
        harness.Upstreams[0].Behavior = FakeBehavior.Refused;
        await harness.AskAsync("a.test.");
        var first = harness.Registry.All.First();
        Assert.True(first.IsDown);
        harness.Upstreams[0].Behavior = FakeBehavior.Answer;
        await Task.Delay(10);

        Assert.True(first.TryBeginProbe());
        Assert.True(await harness.Client.ProbeAsync(first, CancellationToken.None));
        first.EndProbe();

        Assert.False(first.IsDown);
        Assert.Equal(DnsRecordType.NS, harness.Upstreams[0].ReceivedQuestions[^1].Type);
    }

    [Fact]
    public async Task NoUpstreamTraffic_UntilAClientAsks()
    {
        await using var harness = await ResolverHarness.StartAsync();
        await Task.Delay(200);

        Assert.All(harness.Upstreams, u => Assert.Equal(0, u.TotalQueries));
    }

    [Fact]
    public async Task ForwarderDomain_GoesToItsOwnServers()
    {
        await using var corp = await FakeUpstream.StartAsync();
        corp.AddRecord("db.corp.internal.", "A", "10.1.2.3");
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Forwarders.Add(new ForwarderOptions
        {
            Domain = "corp.internal",
            Servers = [new UpstreamServerOptions { Address = corp.EndPoint.ToString() }],
        }));

        var inside = await harness.AskAsync("db.corp.internal.");
        var outside = await harness.AskAsync("www.test.");

        Assert.Equal("10.1.2.3", Assert.Single(inside!.Answers).Data.ToString());
        Assert.Single(outside!.Answers);
        Assert.Equal(1, corp.TotalQueries);
        Assert.Equal(1, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task OutstandingCap_FailsFastInsteadOfQueueing()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o =>
        {
            o.MaxOutstanding = 1;
            o.Timeout = TimeSpan.FromSeconds(2);
        });
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(500);

        var slow = harness.AskAsync("slow.test.");
        await Task.Delay(100);
        var refused = await harness.AskAsync("other.test.");

        Assert.Equal(DnsResponseCode.ServFail, refused!.ResponseCode);
        await slow;
        Assert.Equal(1, harness.Upstreams[0].TotalQueries);

        harness.Upstreams[0].Delay = TimeSpan.Zero;
        var after = await harness.AskAsync("www.test."); // both the answered and the refused try gave their place back
        Assert.Equal(DnsResponseCode.NoError, after!.ResponseCode);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }
}
