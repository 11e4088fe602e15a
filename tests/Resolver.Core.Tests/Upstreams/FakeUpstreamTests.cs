using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>The fake upstream itself, driven by raw sockets, so the upstream tests can trust it.</summary>
public sealed class FakeUpstreamTests
{
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_silenceTimeout = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Udp_KnownName_AnswersWithQueryIdRdAndExactCaseQuestion()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1", ttl: 120);

        var reply = await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("WwW.Example.TEST", "A", id: 0x4321));

        var response = DnsMessage.Parse(reply!);
        Assert.Equal(0x4321, response.Id);
        Assert.True(response.IsResponse);
        Assert.True(response.RecursionDesired);
        Assert.True(response.RecursionAvailable);
        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Equal("WwW.Example.TEST.", response.Questions.Single().Name.ToString());
        var answer = Assert.Single(response.Answers);
        Assert.Equal(120u, answer.Ttl);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.IsType<AData>(answer.Data).Address);
        Assert.NotNull(response.Edns);
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(1, upstream.TotalQueries);
        Assert.Equal(DnsRecordType.A, Assert.Single(upstream.ReceivedQuestions).Type);
        Assert.Equal(0x4321, Assert.Single(upstream.Received).Id);
    }

    [Theory]
    [InlineData("unknown.example.test", false)]
    [InlineData("gone.example.test", true)]
    public async Task Udp_UnknownOrNxName_AnswersNxDomainWithSoa(string name, bool setNxDomain)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("gone.example.test", "A", "192.0.2.2");
        if (setNxDomain)
        {
            upstream.SetNxDomain(name);
        }

        var response = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery(name, "A")))!);

        Assert.Equal(DnsResponseCode.NXDomain, response.ResponseCode);
        Assert.Empty(response.Answers);
        AssertDefaultSoa(Assert.Single(response.Authorities));
    }

    [Fact]
    public async Task Udp_KnownNameOtherType_AnswersNoData()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("v4only.example.test", "A", "192.0.2.3");

        var response = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("v4only.example.test", "AAAA")))!);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
        AssertDefaultSoa(Assert.Single(response.Authorities));
    }

    [Fact]
    public async Task Udp_Cname_IsFollowedInsideTheZone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("alias.example.test", "CNAME", "target.example.test.");
        upstream.AddRecord("target.example.test", "AAAA", "2001:db8::1");

        var response = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("alias.example.test", "AAAA")))!);

        Assert.Equal([DnsRecordType.CNAME, DnsRecordType.AAAA], response.Answers.Select(r => r.Type));
    }

    [Fact]
    public async Task Udp_Drop_SendsNothing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1");
        upstream.Behavior = FakeBehavior.Drop;

        var reply = await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("www.example.test", "A"), s_silenceTimeout);

        Assert.Null(reply);
        Assert.Equal(1, upstream.UdpQueries);
    }

    [Fact]
    public async Task Udp_WrongId_AnswersWithIdPlusOne()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1");
        upstream.Behavior = FakeBehavior.WrongId;

        var response = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("www.example.test", "A", id: 0xFFFF)))!);

        Assert.Equal(0x0000, response.Id);
        Assert.Single(response.Answers);
    }

    [Fact]
    public async Task Udp_WrongQuestionAndGarbage_AreWhatTheySay()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1");
        var query = FakeUpstream.BuildQuery("www.example.test", "A");

        upstream.Behavior = FakeBehavior.WrongQuestion;
        var wrong = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, query))!);
        upstream.Behavior = FakeBehavior.Garbage;
        var garbage = await ExchangeUdpAsync(upstream.EndPoint, query);

        Assert.Equal(DnsName.Parse("evil.test."), wrong.Questions.Single().Name);
        Assert.Equal(20, garbage!.Length);
    }

    [Fact]
    public async Task Truncate_SetsTcOverUdp_AndAnswersFullyOverTcp()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1");
        upstream.Behavior = FakeBehavior.Truncate;
        var query = FakeUpstream.BuildQuery("www.example.test", "A");

        var udp = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, query))!);
        var tcp = DnsMessage.Parse(Assert.Single(await ExchangeTcpAsync(upstream.EndPoint, query)));

        Assert.True(udp.Truncated);
        Assert.Empty(udp.Answers);
        Assert.False(tcp.Truncated);
        Assert.Single(tcp.Answers);
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(1, upstream.TcpQueries);
    }

    [Fact]
    public async Task LargeTxt_IsTruncatedOverUdpAt512_AndWholeOverEdnsAndTcp()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("big.example.test", "TXT", new string('x', 700));
        var plain = FakeUpstream.BuildQuery("big.example.test", "TXT", edns: false);

        var classic = await ExchangeUdpAsync(upstream.EndPoint, plain);
        var withEdns = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("big.example.test", "TXT")))!);
        var overTcp = DnsMessage.Parse(Assert.Single(await ExchangeTcpAsync(upstream.EndPoint, plain)));

        Assert.True(classic!.Length <= 512);
        var truncated = DnsMessage.Parse(classic);
        Assert.True(truncated.Truncated);
        Assert.Empty(truncated.Answers);
        Assert.False(withEdns.Truncated);
        Assert.Equal(700, Assert.IsType<TxtData>(Assert.Single(withEdns.Answers).Data).Strings.Sum(s => s.Length));
        Assert.False(overTcp.Truncated);
        Assert.Single(overTcp.Answers);
    }

    [Fact]
    public async Task Tcp_SeveralQueriesOnOneConnection_AreAnsweredInOrder()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("a.example.test", "A", "192.0.2.1");

        var replies = await ExchangeTcpAsync(
            upstream.EndPoint,
            FakeUpstream.BuildQuery("a.example.test", "A", id: 1),
            FakeUpstream.BuildQuery("b.example.test", "A", id: 2));

        Assert.Equal([1, 2], replies.Select(r => (int)DnsMessage.Parse(r).Id));
        Assert.Equal(2, upstream.TcpQueries);
    }

    [Fact]
    public async Task DelayedReply_DoesNotHoldBackOtherQueries()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.example.test", "A", "192.0.2.1");
        upstream.AddRecord("slow.example.test", "A", "192.0.2.2");
        upstream.NameDelays["slow.example.test."] = TimeSpan.FromSeconds(30); // per name: a shared Delay switched back to zero raced the slow query's reply, which reads it after counting the query
        using var giveUp = new CancellationTokenSource();

        var slow = ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("slow.example.test", "A", id: 1), cancel: giveUp.Token);
        await WaitForAsync(() => upstream.TotalQueries == 1);
        var fast = await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("www.example.test", "A", id: 2));
        var slowWasPending = !slow.IsCompleted;
        await giveUp.CancelAsync();

        Assert.Equal(2, DnsMessage.Parse(fast!).Id);
        Assert.True(slowWasPending);
        Assert.Null(await slow);
    }

    [Fact]
    public async Task DisposeAsync_ClosesOpenTcpConnections()
    {
        var upstream = await FakeUpstream.StartAsync();
        using var cts = new CancellationTokenSource(s_replyTimeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(upstream.EndPoint, cts.Token);

        await upstream.DisposeAsync();
        int read;
        try
        {
            read = await client.GetStream().ReadAsync(new byte[2], cts.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Responder_OverridesTheZone_AndNullDrops()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var dropped = DnsName.Parse("dropped.example.test");
        upstream.Responder = query =>
        {
            if (query.Questions[0].Name == dropped)
            {
                return null;
            }

            var response = DnsMessage.CreateResponse(query);
            response.Answers.Add(new DnsResourceRecord(query.Questions[0].Name, 60, new AData(IPAddress.Parse("198.51.100.7"))));
            return response;
        };

        var answered = DnsMessage.Parse((await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("any.example.test", "A")))!);
        var silence = await ExchangeUdpAsync(upstream.EndPoint, FakeUpstream.BuildQuery("dropped.example.test", "A"), s_silenceTimeout);

        Assert.Equal(IPAddress.Parse("198.51.100.7"), Assert.IsType<AData>(Assert.Single(answered.Answers).Data).Address);
        Assert.Null(silence);
    }

    private static void AssertDefaultSoa(DnsResourceRecord record)
    {
        Assert.Equal(DnsName.Parse("test."), record.Name);
        Assert.Equal(3600u, record.Ttl);
        var soa = Assert.IsType<SoaData>(record.Data);
        Assert.Equal("test. hostmaster.test. 1 3600 900 604800 300", soa.ToString());
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(s_replyTimeout);
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }

    private static async Task<byte[]?> ExchangeUdpAsync(
        IPEndPoint server, byte[] query, TimeSpan? timeout = null, CancellationToken cancel = default)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Connect(server);
        await client.SendAsync(query);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout ?? s_replyTimeout);
        try
        {
            return (await client.ReceiveAsync(cts.Token)).Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<List<byte[]>> ExchangeTcpAsync(IPEndPoint server, params byte[][] queries)
    {
        using var cts = new CancellationTokenSource(s_replyTimeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(server, cts.Token);
        var stream = client.GetStream();
        var replies = new List<byte[]>();
        var prefix = new byte[2];
        foreach (var query in queries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)query.Length);
            await stream.WriteAsync(prefix, cts.Token);
            await stream.WriteAsync(query, cts.Token);
            await stream.ReadExactlyAsync(prefix, cts.Token);
            var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await stream.ReadExactlyAsync(reply, cts.Token);
            replies.Add(reply);
        }

        return replies;
    }
}
