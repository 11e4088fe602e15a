using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;

namespace Resolver.Benchmarks.Pipeline;

/// <summary>The real query processor, cache and upstream client outside a host, forwarding to one upstream.</summary>
internal sealed class ProcessorFixture : IDisposable
{
    /// <param name="upstream">address:port of the upstream.</param>
    /// <param name="loggers">Where the processor logs; nowhere by default.</param>
    public ProcessorFixture(string upstream, ILoggerFactory? loggers = null)
    {
        var server = new DnsServerOptions();
        server.ApplyDefaults();
        var upstreamOptions = new UpstreamOptions { Servers = [new UpstreamServerOptions { Address = upstream }] };
        Metrics = new ResolverMetrics();
        Cache = new DnsCache(new FixedOptions<CacheOptions>(new CacheOptions()), TimeProvider.System, NullLogger<DnsCache>.Instance);
        var registry = new UpstreamRegistry(new FixedOptions<UpstreamOptions>(upstreamOptions), TimeProvider.System, NullLogger<UpstreamRegistry>.Instance);
        Client = new UpstreamClient(registry, new FixedOptions<UpstreamOptions>(upstreamOptions), TimeProvider.System, Metrics, NullLogger<UpstreamClient>.Instance);
        Processor = new QueryProcessor(
            Cache, Client, new AccessControl(new FixedOptions<DnsServerOptions>(server)), new LocalZone(new FixedOptions<DnsServerOptions>(server)), new FixedOptions<DnsServerOptions>(server), Metrics,
            new WatchList(new FixedOptions<WatchOptions>(new WatchOptions())), new HoldTable(TimeProvider.System), new Lifetime(), (loggers ?? NullLoggerFactory.Instance).CreateLogger<QueryProcessor>());
    }

    public ResolverMetrics Metrics { get; }

    public DnsCache Cache { get; }

    public UpstreamClient Client { get; }

    public QueryProcessor Processor { get; }

    public void Dispose()
    {
        Cache.Dispose();
        Client.Dispose();
        Metrics.Dispose();
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
