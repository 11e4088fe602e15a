using System.Net;
using System.Net.Sockets;
using Resolver.Core.Tests.Upstreams;
using Resolver.EndToEnd.Peers;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.EndToEnd.Lifecycle;

/// <summary>SIGTERM, as systemd sends it: queries already in flight are answered before the process exits 0.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Queries_in_flight_at_SIGTERM_over_UDP_and_TCP_are_answered_and_the_exit_code_is_0()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("slow.test.", "A", "192.0.2.77");
        upstream.AddRecord("slow.test.", "AAAA", "2001:db8::77");
        await using var resolver = await ResolverProcess.StartAsync([upstream.EndPoint.Port]);
        upstream.Delay = TimeSpan.FromSeconds(1.5); // within the 4 s question deadline and the 5 s grace

        using var udp = new UdpClient(AddressFamily.InterNetwork);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, resolver.DnsPort);
        await udp.SendAsync(DnsWire.Query("slow.test.", DnsRecordType.A, 1), new IPEndPoint(IPAddress.Loopback, resolver.DnsPort));
        await tcp.GetStream().WriteAsync(DnsWire.Frame(DnsWire.Query("slow.test.", DnsRecordType.AAAA, 2)));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // both wait on the upstream now

        var exit = resolver.TerminateAsync();
        var udpAnswer = DnsMessage.Parse((await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))).Buffer);
        var tcpAnswer = await DnsWire.ReadFrameAsync(tcp.GetStream());

        Assert.True(await exit == 0, resolver.Log.ToString());
        Assert.Equal("192.0.2.77", Assert.Single(udpAnswer.Answers).Data.ToString());
        Assert.Equal("2001:db8::77", Assert.Single(tcpAnswer.Answers).Data.ToString());
        Assert.Contains("every query in flight was answered", resolver.Log.ToString(), StringComparison.Ordinal);
    }
}
