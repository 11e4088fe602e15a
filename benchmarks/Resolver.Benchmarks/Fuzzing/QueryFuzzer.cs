using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Benchmarks.Pipeline;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Fuzzing;
using Resolver.Core.Tests.Upstreams;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Benchmarks.Fuzzing;

/// <summary>
/// <c>--fuzz SECONDS [SEED]</c>: mutated queries for as long as asked, through the real listeners into the real
/// pipeline (its upstream a fake on loopback): UDP datagrams, and TCP streams whose framing is broken on purpose
/// (lengths longer or shorter than the message, empty frames, a frame split byte by byte, garbage). Prints the
/// inputs and outcomes; exits 1 on an unhandled exception, an error the resolver logged (an exception that escaped
/// a query), an answer that does not parse, or a resolver that no longer answers a plain query at the end.
/// </summary>
internal static class QueryFuzzer
{
    public const string Switch = "--fuzz";
    private const int UdpClients = 4;
    private const int UdpBurst = 64;
    private const int MaxTcpSessions = 16;
    private static readonly TimeSpan s_tcpReadTimeout = TimeSpan.FromMilliseconds(300);

    public static async Task<int> RunAsync(TimeSpan duration, int seed, TextWriter output)
    {
        var tally = new FuzzTally();
        AppDomain.CurrentDomain.UnhandledException += (_, e) => tally.Unhandled(e.ExceptionObject.ToString() ?? "unknown");
        TaskScheduler.UnobservedTaskException += (_, e) => tally.Unhandled(e.Exception.ToString());
        var errors = new ErrorCounter();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(errors));
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.AddRecord("www.test.", "A", "192.0.2.10");
        upstream.AddRecord("www.test.", "AAAA", "2001:db8::10");
        upstream.AddRecord("big.test.", "TXT", string.Join(' ', Enumerable.Range(0, 20).Select(n => $"\"{new string((char)('a' + n), 60)}\"")));
        using var fixture = new ProcessorFixture(upstream.EndPoint.ToString(), loggers);
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], TcpIdleTimeout = TimeSpan.FromSeconds(2), MaxTcpConnectionsPerClient = MaxTcpSessions * 2 };
        options.ApplyDefaults();
        using var listeners = new DnsListenerService(
            fixture.Processor, new AccessControl(options.AllowedNetworks), new FixedOptions<DnsServerOptions>(options), fixture.Metrics, loggers.CreateLogger<DnsListenerService>());
        await listeners.StartAsync(CancellationToken.None);
        var server = listeners.BoundEndPoints[0];
        var seeds = Seeds();
        var random = new Random(seed);

        using var stop = new CancellationTokenSource();
        var udp = Enumerable.Range(0, UdpClients).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToArray();
        var receivers = udp.Select(s => ReceiveAsync(s, tally, stop.Token)).ToArray();
        using var sessions = new SemaphoreSlim(MaxTcpSessions);
        var tcp = new List<Task>();
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromMinutes(1);
        while (clock.Elapsed < duration)
        {
            if (random.Next(4) > 0)
            {
                for (var i = 0; i < UdpBurst; i++)
                {
                    var mutant = QueryMutator.Mutate(seeds[random.Next(seeds.Length)], random);
                    await udp[random.Next(udp.Length)].SendToAsync(mutant, server);
                    tally.UdpSent();
                }

                await Task.Delay(1);
            }
            else
            {
                await sessions.WaitAsync();
                var sessionSeed = random.Next();
                tcp.RemoveAll(t => t.IsCompleted);
                tcp.Add(Task.Run(async () =>
                {
                    try
                    {
                        await TcpSessionAsync(server, seeds, new Random(sessionSeed), tally);
                    }
                    finally
                    {
                        sessions.Release();
                    }
                }));
            }

            if (clock.Elapsed >= nextReport)
            {
                output.WriteLine($"{clock.Elapsed:hh\\:mm\\:ss} {tally.Summary(errors.Count)}");
                nextReport += TimeSpan.FromMinutes(1);
            }
        }

        await Task.WhenAll(tcp);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the last UDP answers
        await stop.CancelAsync();
        await Task.WhenAll(receivers);
        var alive = await StillAnswersAsync(server);
        await listeners.StopAsync(CancellationToken.None);
        foreach (var socket in udp)
        {
            socket.Dispose();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers(); // unobserved task exceptions surface here
        output.WriteLine($"fuzzed for {clock.Elapsed:hh\\:mm\\:ss}, seed {seed}");
        output.WriteLine(tally.Report(errors.Count));
        output.WriteLine($"a plain query over UDP and TCP afterwards: {(alive ? "answered" : "NOT ANSWERED")}");
        foreach (var line in errors.First.Concat(tally.FirstUnhandled))
        {
            output.WriteLine(line);
        }

        return tally.Failures == 0 && errors.Count == 0 && alive ? 0 : 1;
    }

    /// <summary>One TCP connection: well-framed mutants, or framing broken one way or another, then what comes back.</summary>
    private static async Task TcpSessionAsync(IPEndPoint server, byte[][] seeds, Random random, FuzzTally tally)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(server);
        var stream = client.GetStream();
        var mode = random.Next(6);
        tally.TcpSession(mode);
        try
        {
            var frames = 1 + random.Next(8);
            for (var i = 0; i < frames; i++)
            {
                var message = QueryMutator.Mutate(seeds[random.Next(seeds.Length)], random);
                var frame = new byte[2 + message.Length];
                var length = mode switch
                {
                    1 => message.Length + 1 + random.Next(100), // longer than what follows: the rest never comes
                    2 => Math.Max(0, message.Length - 1 - random.Next(Math.Max(1, message.Length))), // shorter: the next frame starts mid-message
                    3 => 0, // empty
                    _ => message.Length,
                };
                BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)length);
                message.CopyTo(frame, 2);
                if (mode == 4)
                {
                    foreach (var b in frame)
                    {
                        await stream.WriteAsync(new[] { b }); // split byte by byte
                    }
                }
                else if (mode == 5)
                {
                    var garbage = new byte[1 + random.Next(200)];
                    random.NextBytes(garbage);
                    await stream.WriteAsync(garbage);
                }
                else
                {
                    await stream.WriteAsync(frame);
                }
            }

            await ReadAnswersAsync(stream, tally);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            tally.TcpClosedByServer();
        }
    }

    private static async Task ReadAnswersAsync(NetworkStream stream, FuzzTally tally)
    {
        var prefix = new byte[2];
        while (true)
        {
            using var timeout = new CancellationTokenSource(s_tcpReadTimeout);
            try
            {
                await stream.ReadExactlyAsync(prefix, timeout.Token);
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                await stream.ReadExactlyAsync(message, timeout.Token);
                tally.Answer(message, tcp: true);
            }
            catch (OperationCanceledException)
            {
                tally.TcpQuiet();
                return;
            }
            catch (EndOfStreamException)
            {
                tally.TcpClosedByServer();
                return;
            }
        }
    }

    private static async Task ReceiveAsync(Socket socket, FuzzTally tally, CancellationToken stop)
    {
        var buffer = new byte[65535];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, stop);
                tally.Answer(buffer.AsSpan(0, received), tcp: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<bool> StillAnswersAsync(IPEndPoint server)
    {
        var query = Query("www.test.", DnsRecordType.A, edns: true);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(query, server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var udpAnswer = DnsMessage.Parse((await udp.ReceiveAsync(timeout.Token)).Buffer);
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(server);
        var frame = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)query.Length);
        query.CopyTo(frame, 2);
        await tcp.GetStream().WriteAsync(frame, timeout.Token);
        var prefix = new byte[2];
        await tcp.GetStream().ReadExactlyAsync(prefix, timeout.Token);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await tcp.GetStream().ReadExactlyAsync(message, timeout.Token);
        return udpAnswer.Answers.Count == 1 && DnsMessage.Parse(message).Answers.Count == 1;
    }

    /// <summary>Valid queries to mutate: cached, negative, large, local names; with and without EDNS.</summary>
    private static byte[][] Seeds()
    {
        string[] names = ["www.test.", "WWW.Test.", "missing.test.", "a.missing.test.", "big.test.", "localhost.", "x.localhost."];
        DnsRecordType[] types = [DnsRecordType.A, DnsRecordType.AAAA, DnsRecordType.TXT, DnsRecordType.MX];
        return [.. names.SelectMany(n => types.Select(t => Query(n, t, edns: true))), .. names.Select(n => Query(n, DnsRecordType.A, edns: false))];
    }

    private static byte[] Query(string name, DnsRecordType type, bool edns)
    {
        var query = new DnsMessage { Id = 0x4242, RecursionDesired = true, Edns = edns ? new EdnsRecord { UdpPayloadSize = 1232 } : null };
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type));
        var buffer = new byte[512];
        query.TryWrite(buffer, out var written);
        return buffer[..written];
    }
}
