using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Tests.Upstreams;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Testing;

/// <summary>
/// The real pipeline (cache, upstream client, query processor) wired to fake upstreams on loopback.
/// The cache runs on a manual clock; upstream timeouts on the real one, so they stay short.
/// </summary>
internal sealed class ResolverHarness : IAsyncDisposable
{
    private ResolverHarness(FakeUpstream[] upstreams, UpstreamOptions upstreamOptions, CacheOptions cacheOptions, DnsServerOptions serverOptions)
    {
        Upstreams = upstreams;
        UpstreamOptions = upstreamOptions;
        CacheOptions = cacheOptions;
        ServerOptions = serverOptions;
        Holds = new HoldTable(Time);
        Registry = new UpstreamRegistry(new TestOptions<UpstreamOptions>(upstreamOptions), TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);
        Cache = new DnsCache(new TestOptions<CacheOptions>(cacheOptions), Time, NullLogger<DnsCache>.Instance, Registry);
        Metrics = new ResolverMetrics();
        Client = new UpstreamClient(Registry, new TestOptions<UpstreamOptions>(upstreamOptions), TimeProvider.System, Metrics, NullLogger<UpstreamClient>.Instance);
        Processor = new QueryProcessor(
            Cache,
            Client,
            new AccessControl(serverOptions.AllowedNetworks),
            new LocalZone(serverOptions.LocalRecords),
            new TestOptions<DnsServerOptions>(serverOptions),
            Metrics,
            Watches,
            Holds,
            new StoppedNever(),
            Log);
    }

    public ManualTimeProvider Time { get; } = new();

    /// <summary>No name is watched until a test says so.</summary>
    public WatchList Watches { get; } = new(new TestOptions<WatchOptions>(new WatchOptions()));

    public HoldTable Holds { get; }

    /// <summary>What the query processor logged.</summary>
    public ListLogger<QueryProcessor> Log { get; } = new();

    public FakeUpstream[] Upstreams { get; }

    public UpstreamOptions UpstreamOptions { get; }

    public CacheOptions CacheOptions { get; }

    public DnsServerOptions ServerOptions { get; }

    public DnsCache Cache { get; }

    public UpstreamRegistry Registry { get; }

    public UpstreamClient Client { get; }

    public ResolverMetrics Metrics { get; }

    public QueryProcessor Processor { get; }

    /// <summary>Starts <paramref name="count"/> fake upstreams, each serving www.test. and friends, and a resolver in front.</summary>
    public static async Task<ResolverHarness> StartAsync(int count = 2, Action<UpstreamOptions>? upstreams = null, Action<CacheOptions>? cache = null, Action<DnsServerOptions>? server = null)
    {
        var fakes = new FakeUpstream[count];
        for (var i = 0; i < count; i++)
        {
            fakes[i] = await FakeUpstream.StartAsync();
            fakes[i].AddRecord("www.test.", "A", "192.0.2.10", 300);
            fakes[i].AddRecord("www.test.", "AAAA", "2001:db8::10", 300);
            fakes[i].AddRecord("short.test.", "A", "192.0.2.20", 100);
            fakes[i].AddRecord("big.test.", "TXT", string.Join(' ', Enumerable.Range(0, 20).Select(n => $"\"{new string((char)('a' + n), 60)}\"")), 300);
        }

        var upstreamOptions = new UpstreamOptions
        {
            Policy = UpstreamPolicy.Sequential,
            Servers = [.. fakes.Select(f => new UpstreamServerOptions { Address = f.EndPoint.ToString() })],
            Timeout = TimeSpan.FromMilliseconds(1500), // generous: test processes on a busy 2-core machine pause
            MaxAttempts = count,
            FailuresBeforeDown = 3,
        };
        upstreams?.Invoke(upstreamOptions);
        var cacheOptions = new CacheOptions();
        cache?.Invoke(cacheOptions);
        var serverOptions = new DnsServerOptions();
        serverOptions.ApplyDefaults();
        server?.Invoke(serverOptions);
        return new ResolverHarness(fakes, upstreamOptions, cacheOptions, serverOptions);
    }

    public static byte[] Query(string name, DnsRecordType type, ushort id = 0x4242, ushort? udpSize = 1232, bool dnssecOk = false)
    {
        var query = new DnsMessage { Id = id, RecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), type));
        if (udpSize is { } size)
        {
            query.Edns = new EdnsRecord { UdpPayloadSize = size, DnssecOk = dnssecOk };
        }

        var buffer = new byte[512];
        query.TryWrite(buffer, out var written);
        return buffer[..written];
    }

    /// <summary>Sends one query through the pipeline; null when the resolver answers nothing.</summary>
    public async Task<DnsMessage?> AskAsync(byte[] query, DnsTransport transport = DnsTransport.Udp, IPAddress? client = null)
    {
        var output = new byte[65535];
        var length = await Processor.ProcessAsync(query, output, client ?? IPAddress.Loopback, transport).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return length == 0 ? null : DnsMessage.Parse(output.AsSpan(0, length));
    }

    public Task<DnsMessage?> AskAsync(string name, DnsRecordType type = DnsRecordType.A) => AskAsync(Query(name, type));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Cache.Dispose();
        Metrics.Dispose();
        foreach (var fake in Upstreams)
        {
            await fake.DisposeAsync();
        }
    }

    private sealed class StoppedNever : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
