using System.Net;
using System.Net.Sockets;
using Resolver.EndToEnd.Metrics;
using Resolver.EndToEnd.Peers;
using Resolver.Protocol.Records;
using Xunit.Abstractions;

namespace Resolver.EndToEnd.Abuse;

/// <summary>
/// The resolver process with its TCP defaults against clients that hold connections: a thousand that pipeline
/// queries for a large cached answer and never read, and a slowloris. dig over TCP is still answered at once,
/// memory stays bounded, and the abusers' connections are closed by the timeouts.
/// </summary>
public sealed class TcpAbuseTests(ITestOutputHelper output)
{
    private const int Connections = 1000;
    private const int Abusers = 10; // source addresses 127.0.0.10 to .19, a hundred connections each
    private const int QueriesPerConnection = 300; // 900 KB of answers: far more than the kernel buffers take
    private const long MemoryBound = 100L * 1024 * 1024; // growth of the resident set over the flood (36 MB measured)

    [Fact]
    public async Task A_thousand_connections_that_never_read_leave_dig_answered_within_a_second_and_memory_bounded()
    {
        await using var nsd = await Nsd.StartAsync();
        await using var resolver = await ResolverProcess.StartAsync([nsd.Port]);
        var big = await Dig.QueryAsync(resolver.DnsPort, "+tcp", "big.test.example", "TXT"); // cached from here on
        Assert.Equal(40, big.Answer.Count);
        var before = resolver.ResidentBytes;

        var query = DnsWire.Frame(DnsWire.Query("big.test.example.", DnsRecordType.TXT));
        var clients = new List<TcpClient>();
        var floods = new List<Task>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var client = new TcpClient(new IPEndPoint(IPAddress.Parse($"127.0.0.{10 + (i % Abusers)}"), 0)) { ReceiveBufferSize = 4096 };
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, resolver.DnsPort);
                floods.Add(FloodAsync(client, query));
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // the accepted ones have filled their buffers and their query slots
            var during = await Dig.QueryAsync(resolver.DnsPort, "+tcp", "+time=1", "www.test.example", "A");
            var peak = resolver.ResidentBytes;
            output.WriteLine($"resident set: {before / 1024} KB before, {peak / 1024} KB during the flood; dig answered in {during.QueryTimeMs} ms");

            Assert.Equal("NOERROR", during.Status);
            Assert.Equal("192.0.2.10", Assert.Single(during.Answer).Data);
            Assert.True(peak - before < MemoryBound, $"resident set grew by {(peak - before) / (1024 * 1024)} MB (bound {MemoryBound / (1024 * 1024)} MB)\n{resolver.Log}");

            // Every connection ends: most are turned away at once (16 per client), the rest cut off by the write timeout (5 s).
            var accepted = Abusers * 16;
            var closed = await WaitForClosedAsync(resolver, accepted, TimeSpan.FromSeconds(30));
            output.WriteLine($"connections refused at the door: {closed.Refused}, cut off for not reading: {closed.CutOff}");
            Assert.True(closed.Refused == Connections - accepted && closed.CutOff == accepted, $"{closed}\n{resolver.Log}");
            var ends = clients.Select(c => ReadToEndAsync(c, TimeSpan.FromSeconds(10))).ToList();
            Assert.All(await Task.WhenAll(ends), Assert.True);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            await Task.WhenAll(floods).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Slowloris_connections_sending_one_byte_a_second_are_closed()
    {
        await using var nsd = await Nsd.StartAsync();
        await using var resolver = await ResolverProcess.StartAsync([nsd.Port], configure: c => c["Dns"]!["TcpIdleTimeout"] = "00:00:03");
        var query = DnsWire.Frame(DnsWire.Query("www.test.example.", DnsRecordType.A));
        var clients = Enumerable.Range(0, 8).Select(_ => new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.20"), 0))).ToList();
        try
        {
            foreach (var client in clients)
            {
                await client.ConnectAsync(IPAddress.Loopback, resolver.DnsPort);
            }

            var trickles = clients.Select(c => TrickleAsync(c, query)).ToList();

            var sent = await Task.WhenAll(trickles).WaitAsync(TimeSpan.FromSeconds(20));

            Assert.All(sent, s => Assert.True(s < query.Length, $"{s} of {query.Length} bytes taken"));
            var dig = await Dig.QueryAsync(resolver.DnsPort, "+tcp", "www.test.example", "A");
            Assert.Equal("NOERROR", dig.Status);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Pipelines the query again and again and never reads, until the resolver closes the connection.</summary>
    private static async Task FloodAsync(TcpClient client, byte[] frame)
    {
        await Task.Yield();
        try
        {
            var stream = client.GetStream();
            for (var i = 0; i < QueriesPerConnection; i++)
            {
                await stream.WriteAsync(frame);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // closed
        }
    }

    /// <summary>One byte a second; how many were taken before the resolver closed the connection.</summary>
    private static async Task<int> TrickleAsync(TcpClient client, byte[] frame)
    {
        var stream = client.GetStream();
        for (var sent = 0; sent < frame.Length; sent++)
        {
            try
            {
                await stream.WriteAsync(frame.AsMemory(sent, 1));
                if (client.Client.Poll(0, SelectMode.SelectRead) && client.Available == 0)
                {
                    return sent; // closed by the resolver
                }
            }
            catch (IOException)
            {
                return sent;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return frame.Length;
    }

    /// <summary>The connections /metrics counts as refused (per-client cap) and as cut off (not reading), once all are cut off or the time is up.</summary>
    private static async Task<(double Refused, double CutOff)> WaitForClosedAsync(ResolverProcess resolver, int accepted, TimeSpan within)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var scrape = await MetricsScrape.GetAsync(http, resolver.AdminPort);
            var refused = scrape.Sum("resolver_tcp_closed_total", ("reason", "client_limit"));
            var cutOff = scrape.Sum("resolver_tcp_closed_total", ("reason", "write_timeout")) + scrape.Sum("resolver_tcp_closed_total", ("reason", "not_reading"));
            if (cutOff >= accepted || DateTime.UtcNow > deadline)
            {
                return (refused, cutOff);
            }

            await Task.Delay(500);
        }
    }

    /// <summary>True once the resolver has closed the connection (end of stream or reset) within the time given.</summary>
    private static async Task<bool> ReadToEndAsync(TcpClient client, TimeSpan within)
    {
        var buffer = new byte[16384];
        using var deadline = new CancellationTokenSource(within);
        try
        {
            while (await client.GetStream().ReadAsync(buffer, deadline.Token) > 0)
            {
            }

            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return true; // reset, or a write of the flood already failed on it
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
