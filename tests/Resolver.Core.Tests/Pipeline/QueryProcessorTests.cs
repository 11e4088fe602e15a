using System.Buffers.Binary;
using System.Net;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Tests.Upstreams;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Pipeline;

public class QueryProcessorTests
{
    [Fact]
    public async Task LogQueries_LogsEachAnswer_WithItsRcodeSourceUpstreamAndTime()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, server: o =>
        {
            o.LogQueries = true;
            o.LocalRecords = [new LocalRecordOptions { Name = "router.lan", Type = "A", Value = "192.168.1.1" }];
        });

        await harness.AskAsync("www.test.");
        await harness.AskAsync("www.test.");
        await harness.AskAsync("router.lan.");
        await harness.AskAsync("missing.test.");

        var lines = harness.Log.Lines.Where(l => l.EventId == 301).Select(l => l.Message).ToList();
        var upstream = harness.Registry.All.Single().Name;
        Assert.Equal(4, lines.Count);
        Assert.Contains($"www.test. A answered NOERROR from upstream (upstream {upstream}) in ", lines[0], StringComparison.Ordinal);
        Assert.Contains("www.test. A answered NOERROR from cache (upstream -)", lines[1], StringComparison.Ordinal);
        Assert.Contains("router.lan. A answered NOERROR from local", lines[2], StringComparison.Ordinal);
        Assert.Contains($"missing.test. A answered NXDOMAIN from upstream (upstream {upstream})", lines[3], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Matches(@"in \d+\.\d\d ms$", l));
        Assert.All(lines, l => Assert.StartsWith("Query from 127.0.0.1 over Udp: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondQuery_IsAnsweredFromCache_WithTtlCountingDown()
    {
        await using var harness = await ResolverHarness.StartAsync();
        var first = await harness.AskAsync("www.test.");

        harness.Time.Advance(TimeSpan.FromSeconds(100));
        var second = await harness.AskAsync(ResolverHarness.Query("WWW.Test.", DnsRecordType.A, id: 0x7777));

        Assert.Equal(300u, Assert.Single(first!.Answers).Ttl);
        Assert.Equal(200u, Assert.Single(second!.Answers).Ttl);
        Assert.Equal(0x7777, second.Id);
        Assert.Equal("WWW.Test.", second.Questions[0].Name.ToString()); // the client's case comes back
        Assert.True(second.RecursionAvailable);
        Assert.False(second.AuthoritativeAnswer);
        Assert.Equal(1, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task CachedAnswer_AllocatesNothing()
    {
        await using var harness = await ResolverHarness.StartAsync();
        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);
        await harness.AskAsync(query);
        var output = new byte[1232];
        for (var i = 0; i < 100; i++)
        {
            Assert.True(harness.Processor.ProcessAsync(query, output, IPAddress.Loopback, DnsTransport.Udp).IsCompletedSuccessfully); // warm up
        }

        // Synchronous throughout, so the count is this thread's alone; the fewest bytes of three windows, since a one-off
        // allocation by the runtime (a tier-up, a type loaded) can land in any one, while one made per answer shows in all.
        var length = 0;
        var fewest = long.MaxValue;
        for (var window = 0; window < 3 && fewest > 0; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var answered = harness.Processor.ProcessAsync(query, output, IPAddress.Loopback, DnsTransport.Udp);
                Assert.True(answered.IsCompletedSuccessfully);
                length = await answered; // already complete: the thread stays the same
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.Single(DnsMessage.Parse(output.AsSpan(0, length)).Answers);
    }

    [Theory]
    [InlineData(NxDomainCut.Always, false, true)]
    [InlineData(NxDomainCut.Validated, true, true)]
    [InlineData(NxDomainCut.Validated, false, false)]
    [InlineData(NxDomainCut.Off, true, false)]
    public async Task Nxdomain_IsCachedWithSoa_AndCoversNamesBelowAsNxDomainCutSays(NxDomainCut cut, bool validating, bool covers)
    {
        await using var harness = await ResolverHarness.StartAsync(cache: o => o.NxDomainCut = cut);
        harness.Upstreams[0].Validating = validating;

        var missing = await harness.AskAsync("missing.test.");
        var below = await harness.AskAsync("deep.below.missing.test.");
        var otherType = await harness.AskAsync("missing.test.", DnsRecordType.AAAA);

        Assert.Equal(DnsResponseCode.NXDomain, missing!.ResponseCode);
        Assert.Equal(DnsRecordType.SOA, Assert.Single(missing.Authorities).Type);
        Assert.Equal(DnsResponseCode.NXDomain, below!.ResponseCode);
        Assert.Equal("deep.below.missing.test.", below.Questions[0].Name.ToString());
        Assert.Equal(DnsRecordType.SOA, Assert.Single(below.Authorities).Type);
        Assert.Equal(DnsResponseCode.NXDomain, otherType!.ResponseCode);
        Assert.False(missing.AuthenticData); // the upstream's AD bit is not passed on
        Assert.Equal(covers ? 1 : 2, harness.Upstreams[0].TotalQueries); // the name's own NXDOMAIN answers every type
    }

    [Fact]
    public async Task NegativeTtl_IsCappedByMaxNegativeTtl()
    {
        await using var harness = await ResolverHarness.StartAsync(cache: o => o.MaxNegativeTtl = TimeSpan.FromSeconds(60));
        harness.Upstreams[0].SoaTtl = 86400;
        harness.Upstreams[0].SoaMinimum = 86400;

        var missing = await harness.AskAsync("missing.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(61));
        await harness.AskAsync("missing.test.");

        Assert.Equal(60u, Assert.Single(missing!.Authorities).Ttl);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task Nodata_IsCachedPerType()
    {
        await using var harness = await ResolverHarness.StartAsync();

        var nodata = await harness.AskAsync("www.test.", DnsRecordType.MX);
        await harness.AskAsync("www.test.", DnsRecordType.MX);
        var a = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.NoError, nodata!.ResponseCode);
        Assert.Empty(nodata.Answers);
        Assert.Single(nodata.Authorities);
        Assert.Single(a!.Answers);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task IdenticalQuestionsInFlight_GoUpstreamOnce()
    {
        await using var harness = await ResolverHarness.StartAsync(upstreams: o =>
        {
            o.Timeout = TimeSpan.FromSeconds(5);
            o.MaxAttempts = 1; // a retransmit (a 300 ms answer past the 400 ms first RTO on a loaded machine) is not coalescing's to count
        });
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(300);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A, id: (ushort)i))));

        Assert.All(answers, a => Assert.Single(a!.Answers));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ushort)i), answers.Select(a => a!.Id));
        Assert.Equal(1, harness.Upstreams[0].TotalQueries + harness.Upstreams[1].TotalQueries);
    }

    [Fact]
    public async Task EveryUpstreamDown_ServesStaleWithExtendedError()
    {
        await using var harness = await ResolverHarness.StartAsync();
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(301));
        foreach (var upstream in harness.Upstreams)
        {
            upstream.Behavior = FakeBehavior.Drop;
        }

        var stale = await harness.AskAsync("www.test.");
        var unknown = await harness.AskAsync("never-seen.test.");

        Assert.Equal(DnsResponseCode.NoError, stale!.ResponseCode);
        Assert.Equal(30u, Assert.Single(stale.Answers).Ttl);
        Assert.Equal(ExtendedErrorCode.StaleAnswer, stale.Edns!.GetOption<ExtendedErrorOption>()!.InfoCode);
        Assert.Equal(DnsResponseCode.ServFail, unknown!.ResponseCode);
    }

    [Fact]
    public async Task StaleWindowOver_IsServFail()
    {
        await using var harness = await ResolverHarness.StartAsync(cache: o => o.MaxStale = TimeSpan.FromMinutes(10));
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(300) + TimeSpan.FromMinutes(10));
        harness.Upstreams[0].Behavior = FakeBehavior.ServFail;
        harness.Upstreams[1].Behavior = FakeBehavior.ServFail;

        var response = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.ServFail, response!.ResponseCode);
    }

    [Fact]
    public async Task ServFail_IsRememberedBriefly()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, cache: o => o.ServFailTtl = TimeSpan.FromSeconds(5));
        harness.Upstreams[0].Behavior = FakeBehavior.ServFail;
        Assert.Equal(DnsResponseCode.ServFail, (await harness.AskAsync("www.test."))!.ResponseCode);
        harness.Upstreams[0].Behavior = FakeBehavior.Answer;

        var remembered = await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var recovered = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.ServFail, remembered!.ResponseCode);
        Assert.Equal(DnsResponseCode.NoError, recovered!.ResponseCode);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task FlushDuringAnUpstreamFetch_DoesNotLetTheFetchedAnswerBackIn()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Timeout = TimeSpan.FromSeconds(5));
        harness.Upstreams[0].Delay = TimeSpan.FromMilliseconds(500);

        var inFlight = harness.AskAsync("www.test.");
        await WaitUntilAsync(() => harness.Upstreams[0].TotalQueries == 1);
        var removed = harness.Cache.Flush(new FlushScope { Name = Protocol.Names.DnsName.Parse("www.test"), Subtree = true }).Removed;
        var answer = await inFlight;

        Assert.Equal(0, removed);
        Assert.Single(answer!.Answers); // the asker still gets its answer ...
        Assert.Equal(CacheLookupState.Miss, harness.Cache.Lookup(CacheKey.Create(Protocol.Names.DnsName.Parse("www.test").Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None)).State);
        harness.Upstreams[0].Delay = TimeSpan.Zero;
        await harness.AskAsync("www.test.");
        Assert.Equal(2, harness.Upstreams[0].TotalQueries); // ... but the next one goes upstream again
    }

    [Fact]
    public async Task HitNearExpiry_PrefetchesOnce()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(275)); // 25 s of 300 left: under 10 %

        var hit = await harness.AskAsync("www.test.");
        await WaitUntilAsync(() => harness.Upstreams[0].TotalQueries == 2 && harness.Processor.FetchesInFlight == 0);
        await harness.AskAsync("www.test."); // now served from the refreshed entry

        Assert.Equal(25u, Assert.Single(hit!.Answers).Ttl);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task HitWithPlentyOfTtl_DoesNotPrefetch()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(200));

        await harness.AskAsync("www.test.");
        await Task.Delay(100);

        Assert.Equal(1, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task UdpAnswerLargerThanClientSize_IsTruncated_AndWholeOverTcp()
    {
        await using var harness = await ResolverHarness.StartAsync();

        var small = await harness.AskAsync(ResolverHarness.Query("big.test.", DnsRecordType.TXT, udpSize: 512));
        var noEdns = await harness.AskAsync(ResolverHarness.Query("big.test.", DnsRecordType.TXT, udpSize: null));
        var tcp = await harness.AskAsync(ResolverHarness.Query("big.test.", DnsRecordType.TXT, udpSize: 512), DnsTransport.Tcp);

        Assert.True(small!.Truncated);
        Assert.Empty(small.Answers);
        Assert.NotNull(small.Edns);
        Assert.True(noEdns!.Truncated);
        Assert.Null(noEdns.Edns);
        Assert.False(tcp!.Truncated);
        Assert.Single(tcp.Answers);
    }

    [Fact]
    public async Task Edns_IsAnsweredWith1232AndEchoesDo()
    {
        await using var harness = await ResolverHarness.StartAsync();

        var response = await harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A, udpSize: 4096, dnssecOk: true));

        Assert.Equal(1232, response!.Edns!.UdpPayloadSize);
        Assert.True(response.Edns.DnssecOk);
    }

    [Fact]
    public async Task EdnsVersion1_IsBadVers()
    {
        await using var harness = await ResolverHarness.StartAsync();
        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);
        query[^5] = 1; // OPT TTL: extended rcode, version, flags; the version byte

        var response = await harness.AskAsync(query);

        Assert.Equal(DnsResponseCode.BadVers, response!.ResponseCode);
        Assert.Equal(0, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task MalformedQueryWithReadableHeader_IsFormErr_AndGarbageIsDropped()
    {
        await using var harness = await ResolverHarness.StartAsync();
        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);

        var cut = await harness.AskAsync(query[..20]);
        var garbage = await harness.AskAsync([1, 2, 3]);
        var response = query.ToArray();
        response[2] |= 0x80; // QR: a response sent to us
        var reflected = await harness.AskAsync(response);

        Assert.Equal(DnsResponseCode.FormErr, cut!.ResponseCode);
        Assert.Equal(0x4242, cut.Id);
        Assert.Null(garbage);
        Assert.Null(reflected);
    }

    [Fact]
    public async Task ClientOutsideAllowedNetworks_IsRefused()
    {
        await using var harness = await ResolverHarness.StartAsync();

        var response = await harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), client: IPAddress.Parse("203.0.113.9"));
        var mapped = await harness.AskAsync(ResolverHarness.Query("www.test.", DnsRecordType.A), client: IPAddress.Parse("::ffff:192.168.1.5"));

        Assert.Equal(DnsResponseCode.Refused, response!.ResponseCode);
        Assert.Equal(DnsResponseCode.NoError, mapped!.ResponseCode);
    }

    [Fact]
    public async Task Localhost_IsAnsweredLocally()
    {
        await using var harness = await ResolverHarness.StartAsync();

        var a = await harness.AskAsync("localhost.");
        var aaaa = await harness.AskAsync("sub.localhost.", DnsRecordType.AAAA);
        var mx = await harness.AskAsync("localhost.", DnsRecordType.MX);

        Assert.Equal("127.0.0.1", Assert.Single(a!.Answers).Data.ToString());
        Assert.Equal("::1", Assert.Single(aaaa!.Answers).Data.ToString());
        Assert.Empty(mx!.Answers);
        Assert.Equal(DnsResponseCode.NoError, mx.ResponseCode);
        Assert.All(harness.Upstreams, u => Assert.Equal(0, u.TotalQueries));
    }

    [Fact]
    public async Task ConfiguredLocalRecords_AreAnsweredLocally()
    {
        await using var harness = await ResolverHarness.StartAsync(server: o => o.LocalRecords.Add(new LocalRecordOptions { Name = "router.lan", Type = "A", Value = "192.168.1.1" }));

        var response = await harness.AskAsync("Router.LAN.");

        Assert.Equal("192.168.1.1", Assert.Single(response!.Answers).Data.ToString());
        Assert.Equal("Router.LAN.", response.Questions[0].Name.ToString());
    }

    [Fact]
    public async Task NonQueryOpcode_IsNotImp()
    {
        await using var harness = await ResolverHarness.StartAsync();
        var query = ResolverHarness.Query("www.test.", DnsRecordType.A);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(2), (ushort)(5 << 11)); // UPDATE

        var response = await harness.AskAsync(query);

        Assert.Equal(DnsResponseCode.NotImp, response!.ResponseCode);
    }

    [Theory]
    [InlineData((ushort)0, DnsResponseCode.FormErr)]
    [InlineData((ushort)41, DnsResponseCode.FormErr)]
    [InlineData((ushort)250, DnsResponseCode.NotImp)]
    [InlineData((ushort)252, DnsResponseCode.NotImp)]
    public async Task MetaQueryTypes_AreAnsweredLocally_AndPoisonNothing(ushort type, DnsResponseCode expected)
    {
        await using var harness = await ResolverHarness.StartAsync();

        var meta = await harness.AskAsync(ResolverHarness.Query("www.test.", (DnsRecordType)type));
        var a = await harness.AskAsync("www.test.");

        Assert.Equal(expected, meta!.ResponseCode);
        Assert.Single(a!.Answers);
        Assert.Equal(1, harness.Upstreams[0].TotalQueries); // only the A query went upstream
    }

    [Fact]
    public async Task NxdomainAtTheEndOfACnameChain_DoesNotDenyTheAskedName()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1);
        harness.Upstreams[0].Responder = query =>
        {
            var question = query.Questions[0];
            var name = question.Name.ToString();
            if (name == "alias.test.")
            {
                var nx = DnsMessage.CreateResponse(query, DnsResponseCode.NXDomain);
                nx.Answers.Add(new DnsResourceRecord(question.Name, 300, new CnameData(Protocol.Names.DnsName.Parse("gone.elsewhere."))));
                nx.Authorities.Add(Soa(3600, 300));
                return nx;
            }

            var ok = DnsMessage.CreateResponse(query);
            ok.Answers.Add(new DnsResourceRecord(question.Name, 300, new TxtData("here")));
            return ok;
        };

        var alias = await harness.AskAsync("alias.test.");
        var below = await harness.AskAsync("_acme.alias.test.", DnsRecordType.TXT);

        Assert.Equal(DnsResponseCode.NXDomain, alias!.ResponseCode);
        Assert.Equal(DnsResponseCode.NoError, below!.ResponseCode);
        Assert.Single(below.Answers);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task CnameChainEndingInNodata_IsCappedByMaxNegativeTtl()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, cache: o => o.MaxNegativeTtl = TimeSpan.FromSeconds(60));
        harness.Upstreams[0].Responder = query =>
        {
            var response = DnsMessage.CreateResponse(query);
            response.Answers.Add(new DnsResourceRecord(query.Questions[0].Name, 86400, new CnameData(Protocol.Names.DnsName.Parse("edge.test."))));
            response.Authorities.Add(Soa(3600, 300));
            return response;
        };

        var first = await harness.AskAsync("cdn.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(61));
        await harness.AskAsync("cdn.test.");

        Assert.Equal(60u, Assert.Single(first!.Answers).Ttl);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task MinTtl_ReachesClients()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, cache: o => o.MinTtl = TimeSpan.FromSeconds(60));
        harness.Upstreams[0].AddRecord("fast.test.", "A", "192.0.2.77", 5);

        var response = await harness.AskAsync("fast.test.");

        Assert.Equal(60u, Assert.Single(response!.Answers).Ttl);
    }

    [Fact]
    public async Task NameBelowACachedNxdomain_WithAnOddEdnsOption_IsStillAnswered()
    {
        await using var harness = await ResolverHarness.StartAsync();
        await harness.AskAsync("missing.test.");
        var query = new DnsMessage { Id = 9, RecursionDesired = true, Edns = new EdnsRecord() };
        query.Questions.Add(new DnsQuestion(Protocol.Names.DnsName.Parse("a.missing.test."), DnsRecordType.A));
        query.Edns.Options.Add(new OpaqueEdnsOption((ushort)EdnsOptionCode.Cookie, [1, 2, 3, 4, 5])); // a cookie of the wrong length
        var buffer = new byte[512];
        query.TryWrite(buffer, out var written);

        var response = await harness.AskAsync(buffer[..written]);

        Assert.Equal(DnsResponseCode.NXDomain, response!.ResponseCode);
        Assert.Equal("a.missing.test.", response.Questions[0].Name.ToString());
    }

    [Fact]
    public async Task SlowRefresh_ServesStaleAfterStaleAnswerTimeout_AndTheRefreshLandsLater()
    {
        await using var harness = await ResolverHarness.StartAsync(
            count: 1,
            upstreams: o => o.Timeout = TimeSpan.FromSeconds(10),
            cache: o => o.StaleAnswerTimeout = TimeSpan.FromMilliseconds(200));
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(301));
        harness.Upstreams[0].Delay = TimeSpan.FromSeconds(1);

        var stale = await harness.AskAsync("www.test.");
        await WaitUntilAsync(() => harness.Processor.FetchesInFlight == 0);
        var fresh = await harness.AskAsync("www.test.");

        Assert.Equal(30u, Assert.Single(stale!.Answers).Ttl);
        Assert.Equal(ExtendedErrorCode.StaleAnswer, stale.Edns!.GetOption<ExtendedErrorOption>()!.InfoCode);
        Assert.Equal(300u, Assert.Single(fresh!.Answers).Ttl);
        Assert.Equal(2, harness.Upstreams[0].TotalQueries);
    }

    [Fact]
    public async Task AfterAFailedRefresh_StaleIsServedAtOnce_WithoutAskingAgain()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Timeout = o.QueryDeadline = TimeSpan.FromMilliseconds(300));
        await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(301));
        harness.Upstreams[0].Behavior = FakeBehavior.Drop;

        var first = await harness.AskAsync("www.test.");
        var asked = harness.Upstreams[0].TotalQueries;
        var second = await harness.AskAsync("www.test.");
        harness.Time.Advance(TimeSpan.FromSeconds(31));
        await harness.AskAsync("www.test.");

        Assert.Equal(30u, Assert.Single(first!.Answers).Ttl);
        Assert.Equal(30u, Assert.Single(second!.Answers).Ttl);
        Assert.Equal(2, asked);
        Assert.Equal(3, harness.Upstreams[0].TotalQueries); // asked again only after StaleRetryInterval
    }

    private static DnsResourceRecord Soa(uint ttl, uint minimum) =>
        new(Protocol.Names.DnsName.Parse("test."), ttl, new SoaData(Protocol.Names.DnsName.Parse("ns.test."), Protocol.Names.DnsName.Parse("hostmaster.test."), 1, 3600, 900, 604800, minimum));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 2 s");
    }
}
