using System.Diagnostics;
using System.Diagnostics.Metrics;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Telemetry;

/// <summary>
/// The "Resolver" meter: queries, cache behaviour, upstream health and latency, flushes. The cache
/// counters are also kept as plain totals for the admin API's statistics. Tag values come from
/// small fixed sets (unknown query types are "other") so the series count stays bounded.
/// </summary>
public sealed class ResolverMetrics : IDisposable
{
    public const string MeterName = "Resolver";

    private static readonly string[] s_rcodes = [.. Enumerable.Range(0, 24).Select(c => ((DnsResponseCode)c).ToString().ToUpperInvariant())];

    private readonly Meter _meter;
    private readonly Counter<long> _queries;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _upstreamQueries;
    private readonly Counter<long> _upstreamFailures;
    private readonly Counter<long> _upstreamRetransmits;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _flushes;
    private readonly Counter<long> _flushRemoved;
    private long _hits;
    private long _misses;
    private long _negativeHits;
    private long _staleAnswers;
    private long _prefetches;
    private long _refused;

    public ResolverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _queries = _meter.CreateCounter<long>("resolver.queries", "{query}", "Queries answered, by transport, query type and response code.");
        _dropped = _meter.CreateCounter<long>("resolver.queries.dropped", "{query}", "Queries not answered: garbage, or responses sent to the resolver.");
        _meter.CreateObservableCounter("resolver.queries.refused", () => Interlocked.Read(ref _refused), "{query}", "Queries refused by access control.");
        _meter.CreateObservableCounter("resolver.cache.hits", () => Interlocked.Read(ref _hits), "{query}", "Queries answered from a fresh cache entry.");
        _meter.CreateObservableCounter("resolver.cache.misses", () => Interlocked.Read(ref _misses), "{query}", "Queries that needed an upstream.");
        _meter.CreateObservableCounter("resolver.cache.negative_hits", () => Interlocked.Read(ref _negativeHits), "{query}", "Cache hits on NXDOMAIN or NODATA entries.");
        _meter.CreateObservableCounter("resolver.cache.stale_answers", () => Interlocked.Read(ref _staleAnswers), "{query}", "Expired answers served because every upstream failed (RFC 8767).");
        _meter.CreateObservableCounter("resolver.cache.prefetches", () => Interlocked.Read(ref _prefetches), "{query}", "Background refreshes of popular entries near expiry.");
        _upstreamQueries = _meter.CreateCounter<long>("resolver.upstream.queries", "{query}", "Queries sent to each upstream.");
        _upstreamFailures = _meter.CreateCounter<long>("resolver.upstream.failures", "{query}", "Failed upstream queries, by upstream and outcome (timeouts included).");
        _upstreamRetransmits = _meter.CreateCounter<long>("resolver.upstream.retransmits", "{query}", "Tries to an upstream left unanswered for its retransmit timeout, after which the next try went out.");
        _upstreamDuration = _meter.CreateHistogram<double>("resolver.upstream.duration", "s", "Upstream round-trip time of answered queries.");
        _flushes = _meter.CreateCounter<long>("resolver.cache.flushes", "{flush}", "Cache flushes, by kind.");
        _flushRemoved = _meter.CreateCounter<long>("resolver.cache.flushed_entries", "{entry}", "Entries removed by flushes, by kind.");
    }

    public long CacheHits => Interlocked.Read(ref _hits);

    public long CacheMisses => Interlocked.Read(ref _misses);

    public long NegativeHits => Interlocked.Read(ref _negativeHits);

    public long StaleAnswers => Interlocked.Read(ref _staleAnswers);

    public long Prefetches => Interlocked.Read(ref _prefetches);

    /// <summary>Adds the gauges that read the cache and the upstreams (entries, evictions, up/down).</summary>
    public void Observe(DnsCache cache, UpstreamRegistry upstreams)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(upstreams);
        _meter.CreateObservableGauge("resolver.cache.entries", () => (long)cache.Count, "{entry}", "Entries in the cache, fresh and stale.");
        _meter.CreateObservableCounter("resolver.cache.evictions", () => cache.Evictions, "{entry}", "Entries evicted (least recently used) to keep the cache within Cache:MaxBytes and Cache:MaxEntries.");
        _meter.CreateObservableCounter("resolver.cache.refusals", () => cache.Refusals, "{entry}", "Answers not cached because the cache was at its hard limit.");
        _meter.CreateObservableGauge("resolver.cache.bytes", () => cache.Bytes, "By", "Memory the cache holds, each entry counted by its footprint (what Cache:MaxBytes bounds).");
        _meter.CreateObservableGauge(
            "resolver.upstream.up",
            () => upstreams.All.Select(u => new Measurement<int>(u.IsUsable ? 1 : 0, new KeyValuePair<string, object?>("upstream", u.Name))),
            description: "1 while an upstream is in use, 0 while it is down or drained.");
    }

    public void QueryAnswered(DnsTransport transport, DnsRecordType type, int rcode)
    {
        var tags = new TagList
        {
            { "transport", transport == DnsTransport.Udp ? "udp" : "tcp" },
            { "type", TypeTag(type) },
            { "rcode", (uint)rcode < (uint)s_rcodes.Length ? s_rcodes[rcode] : "OTHER" },
        };
        _queries.Add(1, tags);
        if (rcode == (int)DnsResponseCode.Refused)
        {
            Interlocked.Increment(ref _refused);
        }
    }

    public void QueryDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CacheHit(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Interlocked.Increment(ref _hits);
        if (entry.IsNegative)
        {
            Interlocked.Increment(ref _negativeHits);
        }
    }

    public void CacheMiss() => Interlocked.Increment(ref _misses);

    public void StaleAnswer() => Interlocked.Increment(ref _staleAnswers);

    public void Prefetch() => Interlocked.Increment(ref _prefetches);

    public void UpstreamQueried(UpstreamServer server) =>
        _upstreamQueries.Add(1, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamAnswered(UpstreamServer server, TimeSpan elapsed) =>
        _upstreamDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamRetransmitted(UpstreamServer server) =>
        _upstreamRetransmits.Add(1, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamFailed(UpstreamServer server, UpstreamOutcome outcome) =>
        _upstreamFailures.Add(1, new KeyValuePair<string, object?>("upstream", server.Name), new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)));

    public void Flushed(string kind, int removed)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        _flushes.Add(1, tag);
        _flushRemoved.Add(removed, tag);
    }

    public void Dispose() => _meter.Dispose();

    private static string TypeTag(DnsRecordType type) => type switch
    {
        DnsRecordType.A => "A",
        DnsRecordType.AAAA => "AAAA",
        DnsRecordType.CNAME => "CNAME",
        DnsRecordType.MX => "MX",
        DnsRecordType.TXT => "TXT",
        DnsRecordType.NS => "NS",
        DnsRecordType.SOA => "SOA",
        DnsRecordType.PTR => "PTR",
        DnsRecordType.SRV => "SRV",
        DnsRecordType.HTTPS => "HTTPS",
        DnsRecordType.SVCB => "SVCB",
        DnsRecordType.CAA => "CAA",
        DnsRecordType.DS => "DS",
        DnsRecordType.DNSKEY => "DNSKEY",
        DnsRecordType.ANY => "ANY",
        _ => "other",
    };

    private static string OutcomeTag(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.Timeout => "timeout",
        UpstreamOutcome.ServFail => "servfail",
        UpstreamOutcome.Refused => "refused",
        UpstreamOutcome.Malformed => "malformed",
        UpstreamOutcome.NetworkError => "network_error",
        UpstreamOutcome.Overloaded => "overloaded",
        _ => "other",
    };
}
