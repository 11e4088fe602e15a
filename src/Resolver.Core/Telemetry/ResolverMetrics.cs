using System.Diagnostics;
using System.Diagnostics.Metrics;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Telemetry;

/// <summary>
/// The "Resolver" meter: queries, cache behaviour, upstream health and latency, flushes. The cache
/// counters are also kept as plain totals for the admin API's statistics. Tag values come from
/// small fixed sets (unknown query types are "other") so the series count stays bounded. What every answer
/// counts (queries by transport, type and RCODE; hits; misses) is kept per CPU and summed at scrape time
/// (<see cref="StripedCounters"/>), so the cached path shares no written memory between receive threads.
/// </summary>
public sealed class ResolverMetrics : IDisposable
{
    public const string MeterName = "Resolver";

    private static readonly string[] s_rcodes = [.. Enumerable.Range(0, 24).Select(c => Mnemonics.ToText((DnsResponseCode)c)), "OTHER"];
    private static readonly string[] s_typeTags = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "PTR", "SRV", "HTTPS", "SVCB", "CAA", "DS", "DNSKEY", "ANY", "other"];
    private static readonly string[] s_transports = ["udp", "tcp"];
    /// <summary>
    /// Upper bounds in seconds of <c>resolver.upstream.duration</c>'s buckets, 0.5 ms to 10 s. Without them an exporter
    /// uses its defaults (OpenTelemetry's 0, 5, 10, 25 … 10000, sized for milliseconds), and every round trip lands in le="5".
    /// </summary>
    private static readonly double[] s_durationBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly int s_querySlots = s_transports.Length * s_typeTags.Length * s_rcodes.Length;

    private readonly Meter _meter;
    private readonly StripedCounters _counts = new(s_querySlots + (int)Count.Last + 1);
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _upstreamQueries;
    private readonly Counter<long> _upstreamFailures;
    private readonly Counter<long> _upstreamRetransmits;
    private readonly Counter<long> _upstreamDisagreements;
    private readonly Counter<long> _watchProbes;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _tcpClosed;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _configReloads;
    private readonly Counter<long> _flushes;
    private readonly Counter<long> _flushRemoved;

    /// <summary>The single counters, after the query slots in <see cref="_counts"/>.</summary>
    private enum Count
    {
        Hits,
        Misses,
        NegativeHits,
        StaleAnswers,
        Prefetches,
        Refused,
        Last = Refused,
    }

    public ResolverMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("resolver.queries", ObserveQueries, "{query}", "Queries answered, by transport, query type and response code.");
        _dropped = _meter.CreateCounter<long>("resolver.queries.dropped", "{query}", "Queries not answered: garbage, or responses sent to the resolver.");
        _meter.CreateObservableCounter("resolver.queries.refused", () => Read(Count.Refused), "{query}", "Queries refused by access control.");
        _meter.CreateObservableCounter("resolver.cache.hits", () => Read(Count.Hits), "{query}", "Queries answered from a fresh cache entry.");
        _meter.CreateObservableCounter("resolver.cache.misses", () => Read(Count.Misses), "{query}", "Queries that needed an upstream.");
        _meter.CreateObservableCounter("resolver.cache.negative_hits", () => Read(Count.NegativeHits), "{query}", "Cache hits on NXDOMAIN or NODATA entries.");
        _meter.CreateObservableCounter("resolver.cache.stale_answers", () => Read(Count.StaleAnswers), "{query}", "Expired answers served because every upstream failed (RFC 8767).");
        _meter.CreateObservableCounter("resolver.cache.prefetches", () => Read(Count.Prefetches), "{query}", "Background refreshes of popular entries near expiry.");
        _upstreamQueries = _meter.CreateCounter<long>("resolver.upstream.queries", "{query}", "Queries sent to each upstream.");
        _upstreamFailures = _meter.CreateCounter<long>("resolver.upstream.failures", "{query}", "Failed upstream queries, by upstream and outcome (timeouts included).");
        _upstreamRetransmits = _meter.CreateCounter<long>("resolver.upstream.retransmits", "{query}", "Tries to an upstream left unanswered for its retransmit timeout, after which the next try went out.");
        _upstreamDisagreements = _meter.CreateCounter<long>(
            "resolver.upstream.disagreements", "{answer}", "Negative answers (NXDOMAIN, NODATA) from an upstream that another upstream contradicted with the positive answer the cache held, by the upstream that answered negatively.");
        _watchProbes = _meter.CreateCounter<long>(
            "resolver.watch.probes", "{probe}", "Background re-resolutions of watched names (Watch:Names ProbeInterval), by name and result: answer, negative, held or failed.");
        _upstreamDuration = _meter.CreateHistogram(
            "resolver.upstream.duration", "s", "Upstream round-trip time of answered queries.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBounds });
        _rateLimited = _meter.CreateCounter<long>(
            "resolver.queries.rate_limited", "{query}", "UDP queries past Dns:RateLimit for their client network, by action: slip (an empty TC=1 answer) or drop.");
        _configReloads = _meter.CreateCounter<long>(
            "resolver.config.reloads", "{reload}", "Configuration reloads (SIGHUP or a changed file), by result: applied, or rejected (the file was invalid; the running configuration stayed).");
        _tcpClosed = _meter.CreateCounter<long>(
            "resolver.tcp.closed", "{connection}", "TCP connections the resolver refused or cut off, by reason: client_limit, connection_limit, slow_frame, not_reading, write_timeout.");
        _flushes = _meter.CreateCounter<long>("resolver.cache.flushes", "{flush}", "Cache flushes, by kind.");
        _flushRemoved = _meter.CreateCounter<long>("resolver.cache.flushed_entries", "{entry}", "Entries removed by flushes, by kind.");
    }

    public long CacheHits => Read(Count.Hits);

    public long CacheMisses => Read(Count.Misses);

    public long NegativeHits => Read(Count.NegativeHits);

    public long StaleAnswers => Read(Count.StaleAnswers);

    public long Prefetches => Read(Count.Prefetches);

    /// <summary>Queries answered so far by RCODE ("NOERROR", "NXDOMAIN", …; "OTHER" past 23), over every transport and type; RCODEs never sent are left out.</summary>
    public IReadOnlyDictionary<string, long> QueriesByRcode()
    {
        var totals = new long[s_rcodes.Length];
        for (var slot = 0; slot < s_querySlots; slot++)
        {
            totals[slot % s_rcodes.Length] += _counts.Read(slot);
        }

        var byRcode = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var rcode = 0; rcode < totals.Length; rcode++)
        {
            if (totals[rcode] != 0)
            {
                byRcode[s_rcodes[rcode]] = totals[rcode];
            }
        }

        return byRcode;
    }

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

    /// <summary>Adds the watched names' hold gauge and counter.</summary>
    public void Observe(HoldTable holds)
    {
        ArgumentNullException.ThrowIfNull(holds);
        _meter.CreateObservableGauge("resolver.watch.held", () => (long)holds.Count, "{question}", "Watched questions whose negative answer (or failure) is held back while the last good answer is served.");
        _meter.CreateObservableCounter("resolver.watch.holds", () => holds.Started, "{hold}", "Holds begun on watched questions since start.");
    }

    public void QueryAnswered(DnsTransport transport, DnsRecordType type, int rcode)
    {
        var slot = (((transport == DnsTransport.Udp ? 0 : 1) * s_typeTags.Length) + TypeIndex(type)) * s_rcodes.Length
            + ((uint)rcode < (uint)s_rcodes.Length - 1 ? rcode : s_rcodes.Length - 1);
        _counts.Increment(slot);
        if (rcode == (int)DnsResponseCode.Refused)
        {
            Increment(Count.Refused);
        }
    }

    public void QueryDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CacheHit(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Increment(Count.Hits);
        if (entry.IsNegative)
        {
            Increment(Count.NegativeHits);
        }
    }

    public void CacheMiss() => Increment(Count.Misses);

    public void StaleAnswer() => Increment(Count.StaleAnswers);

    public void Prefetch() => Increment(Count.Prefetches);

    public void UpstreamQueried(UpstreamServer server) =>
        _upstreamQueries.Add(1, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamAnswered(UpstreamServer server, TimeSpan elapsed) =>
        _upstreamDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamRetransmitted(UpstreamServer server) =>
        _upstreamRetransmits.Add(1, new KeyValuePair<string, object?>("upstream", server.Name));

    public void UpstreamDisagreed(UpstreamServer server) =>
        _upstreamDisagreements.Add(1, new KeyValuePair<string, object?>("upstream", server.Name));

    /// <summary>A probe of watched <paramref name="name"/> (the operator's list: a bounded set) ended with <paramref name="result"/>.</summary>
    public void WatchProbed(string name, string result) =>
        _watchProbes.Add(1, new KeyValuePair<string, object?>("name", name), new KeyValuePair<string, object?>("result", result));

    public void UpstreamFailed(UpstreamServer server, UpstreamOutcome outcome) =>
        _upstreamFailures.Add(1, new KeyValuePair<string, object?>("upstream", server.Name), new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)));

    public void RateLimited(bool slipped) => _rateLimited.Add(1, new KeyValuePair<string, object?>("action", slipped ? "slip" : "drop"));

    public void ConfigurationReloaded(bool applied) => _configReloads.Add(1, new KeyValuePair<string, object?>("result", applied ? "applied" : "rejected"));

    /// <summary>A TCP connection was refused or closed for <paramref name="reason"/> (a fixed set).</summary>
    public void TcpClosed(string reason) => _tcpClosed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Flushed(string kind, int removed)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        _flushes.Add(1, tag);
        _flushRemoved.Add(removed, tag);
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>The position of the type's tag in <see cref="s_typeTags"/>.</summary>
    private static int TypeIndex(DnsRecordType type) => type switch
    {
        DnsRecordType.A => 0,
        DnsRecordType.AAAA => 1,
        DnsRecordType.CNAME => 2,
        DnsRecordType.MX => 3,
        DnsRecordType.TXT => 4,
        DnsRecordType.NS => 5,
        DnsRecordType.SOA => 6,
        DnsRecordType.PTR => 7,
        DnsRecordType.SRV => 8,
        DnsRecordType.HTTPS => 9,
        DnsRecordType.SVCB => 10,
        DnsRecordType.CAA => 11,
        DnsRecordType.DS => 12,
        DnsRecordType.DNSKEY => 13,
        DnsRecordType.ANY => 14,
        _ => 15,
    };

    private void Increment(Count count) => _counts.Increment(s_querySlots + (int)count);

    private long Read(Count count) => _counts.Read(s_querySlots + (int)count);

    /// <summary>Every transport, type and RCODE counted so far, summed over the CPUs.</summary>
    private IEnumerable<Measurement<long>> ObserveQueries()
    {
        for (var slot = 0; slot < s_querySlots; slot++)
        {
            var value = _counts.Read(slot);
            if (value == 0)
            {
                continue;
            }

            var rcode = slot % s_rcodes.Length;
            var type = slot / s_rcodes.Length % s_typeTags.Length;
            var transport = slot / s_rcodes.Length / s_typeTags.Length;
            yield return new Measurement<long>(value, new KeyValuePair<string, object?>("transport", s_transports[transport]),
                new KeyValuePair<string, object?>("type", s_typeTags[type]), new KeyValuePair<string, object?>("rcode", s_rcodes[rcode]));
        }
    }

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
