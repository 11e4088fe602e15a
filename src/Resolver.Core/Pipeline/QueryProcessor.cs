using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Core.Listeners;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Pipeline;

/// <summary>
/// One query, start to finish: scan → access control → local answers → cache → coalesced upstream
/// fetch → store → answer; on total upstream failure a stale answer if allowed, else SERVFAIL.
/// A fresh cache hit completes synchronously.
/// </summary>
public sealed partial class QueryProcessor
{
    private const int MinUdpSize = 512;
    private readonly DnsCache _cache;
    private readonly UpstreamClient _upstreams;
    private readonly AccessControl _access;
    private readonly LocalZone _local;
    private readonly IOptionsMonitor<DnsServerOptions> _serverOptions;
    private readonly ResolverMetrics _metrics;
    private readonly ILogger<QueryProcessor> _logger;
    private readonly InFlightQueries _inFlight = new();
    private readonly FlipGuard _flips;
    private readonly ClientRateLimiter _rateLimit;
    private readonly Func<CacheKey, Task<UpstreamResult<CacheEntry>>> _fetch; // one delegate, not one per miss
    private readonly CancellationToken _stopping;

    public QueryProcessor(
        DnsCache cache,
        UpstreamClient upstreams,
        AccessControl access,
        LocalZone local,
        IOptionsMonitor<DnsServerOptions> serverOptions,
        ResolverMetrics metrics,
        WatchList watches,
        HoldTable holds,
        IHostApplicationLifetime lifetime,
        ILogger<QueryProcessor> logger)
    {
        _metrics = metrics;
        _cache = cache;
        _upstreams = upstreams;
        _access = access;
        _local = local;
        _serverOptions = serverOptions;
        _logger = logger;
        _stopping = lifetime.ApplicationStopped; // not Stopping: queries in flight at stop are still answered (Dns:ShutdownGrace)
        _flips = new FlipGuard(cache, upstreams, watches, holds, logger);
        _rateLimit = new ClientRateLimiter(serverOptions, cache.Time);
        _fetch = FetchAsync;
    }

    /// <summary>Upstream fetches currently in flight (after coalescing).</summary>
    public int FetchesInFlight => _inFlight.Count;

    /// <summary>
    /// Writes the answer to <paramref name="query"/> into <paramref name="output"/>; returns its length, 0 to
    /// send nothing. Without <paramref name="allowUpstream"/> (the listener is overloaded) a question that
    /// needs an upstream is dropped; everything the resolver can answer by itself still is.
    /// </summary>
    public ValueTask<int> ProcessAsync(ReadOnlyMemory<byte> query, Memory<byte> output, IPAddress client, DnsTransport transport, bool allowUpstream = true)
    {
        Span<byte> name = stackalloc byte[NameWire.MaxNameLength];
        var span = query.Span;
        var error = MessageScanner.ScanQuery(span, name, out var scan);
        if (error != DnsParseError.None)
        {
            LogMalformed(_logger, client, error);
            var formErr = ResponseWriter.WriteFormatError(span, output.Span);
            if (formErr == 0)
            {
                _metrics.QueryDropped("malformed");
            }
            else
            {
                _metrics.QueryAnswered(transport, 0, (int)DnsResponseCode.FormErr);
            }

            return new(formErr);
        }

        if (scan.Header.IsResponse)
        {
            _metrics.QueryDropped("response");
            return new(0);
        }

        var options = _serverOptions.CurrentValue;
        var advertised = (ushort)options.MaxUdpResponseSize;
        if (transport == DnsTransport.Udp && _rateLimit.Check(client) is var verdict and not ClientRateLimiter.Verdict.Answer)
        {
            _metrics.RateLimited(verdict == ClientRateLimiter.Verdict.Slip);
            return new(verdict == ClientRateLimiter.Verdict.Slip ? ResponseWriter.WriteRetryOverTcp(span, scan, output.Span, advertised) : 0);
        }

        var limit = transport == DnsTransport.Tcp ? output.Length
            : scan.Edns.Present ? Math.Clamp(scan.Edns.UdpPayloadSize, MinUdpSize, options.MaxUdpResponseSize)
            : MinUdpSize;
        var refusal = Screen(client, scan);
        if (refusal is { } code)
        {
            _metrics.QueryAnswered(transport, scan.Type, (int)code);
            return new(ResponseWriter.WriteError(span, scan, code, output.Span, advertised));
        }

        var asked = new Asked(client, transport, options.LogQueries ? Stopwatch.GetTimestamp() : 0);

        var local = _local.TryAnswer(name[..scan.NameLength], scan.Type);
        if (local is not null)
        {
            return new(Answered(asked, span, scan, output.Span, WriteLocal(local, name[..scan.NameLength], scan, output.Span, limit, advertised), "local"));
        }

        var flags = (scan.Edns.DnssecOk ? CacheFlags.DnssecOk : 0) | (scan.Header.CheckingDisabled ? CacheFlags.CheckingDisabled : 0);
        var key = CacheKey.Probe(name[..scan.NameLength], scan.Type, scan.Class, flags); // no allocation on a hit
        var lookup = _cache.Lookup(key);
        if (lookup.State == CacheLookupState.Fresh)
        {
            var entry = lookup.Entry!;
            entry.RecordHit();
            _metrics.CacheHit(entry);
            MaybePrefetch(key, entry);
            return new(Answered(asked, span, scan, output.Span, Answer(entry, span, scan, output.Span, limit, advertised, staleTtl: null), "cache"));
        }

        if (!allowUpstream)
        {
            _metrics.QueryDropped("overloaded");
            return new(0);
        }

        _metrics.CacheMiss();
        var stale = lookup.State == CacheLookupState.Stale && _cache.Options.ServeStale ? lookup.Entry : null;
        return ResolveAsync(query, output, scan, key.ToStable(), stale, limit, advertised, asked);
    }

    /// <summary>
    /// What is answered without a lookup: REFUSED for clients outside the allowed networks, NOTIMP for
    /// other opcodes, zone transfers and the other meta types (RFC 6895 §3.1: TKEY, TSIG, MAILA/MAILB),
    /// FORMERR for TYPE 0, OPT as a question, a question count other than one or a compressed question
    /// name (answers copy the question bytes), BADVERS for EDNS above 0.
    /// </summary>
    private static DnsResponseCode? Screen(bool allowed, in QueryScan scan) =>
        !allowed ? DnsResponseCode.Refused
        : scan.Header.Opcode != DnsOpcode.Query ? DnsResponseCode.NotImp
        : scan.Header.QuestionCount != 1 ? DnsResponseCode.FormErr
        : scan.QuestionEnd - DnsHeader.Size - 4 != scan.NameLength ? DnsResponseCode.FormErr // a compressed question name
        : scan.Edns.Present && scan.Edns.Version > 0 ? DnsResponseCode.BadVers
        : scan.Type is 0 or DnsRecordType.OPT ? DnsResponseCode.FormErr
        : (ushort)scan.Type is >= 249 and <= 254 ? DnsResponseCode.NotImp
        : null;

    private DnsResponseCode? Screen(IPAddress client, in QueryScan scan) => Screen(_access.IsAllowed(client), scan);

    /// <summary>
    /// Counts an answer by the RCODE it carries (0 bytes is a drop) and, with Dns:LogQueries, logs it: where it came
    /// from (<paramref name="source"/>: local, cache, stale or upstream, and which upstream) and how long it took.
    /// </summary>
    private int Answered(in Asked asked, ReadOnlySpan<byte> query, in QueryScan scan, ReadOnlySpan<byte> output, int length, string source, string? upstream = null)
    {
        var rcode = length >= DnsHeader.Size ? output[3] & 0xF : -1;
        if (rcode >= 0)
        {
            _metrics.QueryAnswered(asked.Transport, scan.Type, rcode);
        }
        else
        {
            _metrics.QueryDropped("unanswerable");
        }

        if (asked.LoggedSince != 0)
        {
            LogAnswered(
                _logger, asked.Client, asked.Transport, DnsName.FromWire(query[DnsHeader.Size..(scan.QuestionEnd - 4)]), scan.Type,
                rcode < 0 ? "none" : Mnemonics.ToText((DnsResponseCode)rcode), source, upstream ?? "-", Stopwatch.GetElapsedTime(asked.LoggedSince).TotalMilliseconds);
        }

        return length;
    }

    /// <summary>
    /// Fetches (coalesced) and answers. With an expired entry at hand (RFC 8767): served at once while a
    /// recent refresh failure stands, or when the refresh takes longer than StaleAnswerTimeout (the
    /// refresh goes on and updates the cache), or when it fails. Otherwise SERVFAIL, remembered briefly.
    /// </summary>
    private async ValueTask<int> ResolveAsync(
        ReadOnlyMemory<byte> query, Memory<byte> output, QueryScan scan, CacheKey key, CacheEntry? stale, int limit, ushort advertised, Asked asked)
    {
        var options = _cache.Options;
        var notYet = stale is null ? null
            : stale.RefreshFailedWithin(_cache.Time, options.StaleRetryInterval) ? "a refresh failed moments ago"
            : _flips.IsWaiting(key) ? "held (watched), upstream re-asked later"
            : null;
        if (notYet is not null)
        {
            return Answered(asked, query.Span, scan, output.Span, AnswerStale(stale!, key, notYet, query.Span, scan, output.Span, limit, advertised), "stale");
        }

        var fetch = _inFlight.GetOrStart(key, _fetch);
        if (stale is not null && !fetch.IsCompleted)
        {
            using var timer = new CancellationTokenSource();
            var timeout = Task.Delay(options.StaleAnswerTimeout, _cache.Time, timer.Token);
            if (await Task.WhenAny(fetch, timeout).ConfigureAwait(false) != fetch)
            {
                return Answered(asked, query.Span, scan, output.Span, AnswerStale(stale, key, "the refresh is slow", query.Span, scan, output.Span, limit, advertised), "stale");
            }

#pragma warning disable CA1849 // in place: CancelAsync would move the rest of the query to a thread-pool worker
            timer.Cancel();
#pragma warning restore CA1849
        }

        var fetched = await fetch.ConfigureAwait(false);
        var length = AnswerFetched(fetched, query.Span, scan, key, stale, output.Span, limit, advertised, out var servedStale);
        return Answered(asked, query.Span, scan, output.Span, length, servedStale ? "stale" : "upstream", fetched.Server?.Name);
    }

    /// <summary>The fetch's answer; if every upstream failed, a stale answer when allowed, else SERVFAIL (remembered briefly).</summary>
    private int AnswerFetched(
        UpstreamResult<CacheEntry> fetched, ReadOnlySpan<byte> query, in QueryScan scan, CacheKey key, CacheEntry? stale, Span<byte> output, int limit, ushort advertised, out bool servedStale)
    {
        servedStale = false;
        if (fetched.Answer is not null)
        {
            return Answer(fetched.Answer, query, scan, output, limit, advertised, staleTtl: null);
        }

        var options = _cache.Options;
        stale ??= options.ServeStale ? _cache.FindStale(key) : null;
        if (stale is not null)
        {
            servedStale = true;
            return AnswerStale(stale, key, fetched.Error ?? fetched.Outcome.ToString(), query, scan, output, limit, advertised);
        }

        LogServFail(_logger, key, fetched.Server?.Name ?? "-", fetched.Error ?? fetched.Outcome.ToString());
        if (fetched.Outcome != UpstreamOutcome.Overloaded)
        {
            _cache.Store(CacheEntryFactory.CreateServFail(key, query[DnsHeader.Size..scan.QuestionEnd], options, _cache.Time.GetTimestamp()), _cache.Generation);
        }

        return ResponseWriter.WriteError(query, scan, DnsResponseCode.ServFail, output, advertised, ExtendedErrorCode.NoReachableAuthority);
    }

    private int AnswerStale(CacheEntry stale, CacheKey key, string why, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, int limit, ushort advertised)
    {
        LogServedStale(_logger, key, why);
        _metrics.StaleAnswer();
        return Answer(stale, query, scan, output, limit, advertised, (uint)_cache.Options.StaleAnswerTtl.TotalSeconds);
    }

    /// <summary>
    /// Asks the upstreams; each answer becomes the cache entry in the same pass that checks it (one that cannot is the
    /// next upstream's turn). A negative answer where a positive one is cached first goes past the <see cref="FlipGuard"/>.
    /// </summary>
    private async Task<UpstreamResult<CacheEntry>> FetchAsync(CacheKey key)
    {
        var generation = _cache.Generation;
        var options = _cache.Options;
        var name = key.Name.ToArray();
        AnswerReader<CacheEntry> read = (response, server) => CacheEntryFactory.Create(key, response, server.Name, options, _cache.Time.GetTimestamp());
        var result = await _upstreams.ResolveAsync(
            name, key.Type, key.Class, key.Flags.HasFlag(CacheFlags.DnssecOk), key.Flags.HasFlag(CacheFlags.CheckingDisabled), read, _stopping).ConfigureAwait(false);
        result = await _flips.ReviewAsync(key, name, result, read, _stopping).ConfigureAwait(false);
        if (result.Answer is not { } entry)
        {
            if (result.Outcome != UpstreamOutcome.Held)
            {
                _cache.FindStale(key)?.MarkRefreshFailed(_cache.Time); // a hold re-asks on its own back-off
            }

            return result;
        }

        if (entry.Ttl > 0 && _flips.MayStore(entry))
        {
            _cache.Store(entry, generation);
        }

        return result;
    }

    /// <summary>Fetches <paramref name="key"/> as a miss would (joined with clients' fetches of it) and caches the answer: a watched name's probe.</summary>
    public Task<UpstreamResult<CacheEntry>> RefreshAsync(CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _inFlight.GetOrStart(key.ToStable(), _fetch);
    }

    private void MaybePrefetch(CacheKey key, CacheEntry entry)
    {
        var options = _cache.Options;
        if (!options.Prefetch || entry.Kind == CacheEntryKind.ServFail || !entry.Key.Equals(key)
            || entry.RemainingTtl(_cache.Time) >= entry.Ttl * options.PrefetchThreshold || !entry.TryStartPrefetch())
        {
            return;
        }

        LogPrefetch(_logger, key);
        _metrics.Prefetch();
        _ = _inFlight.GetOrStart(key.ToStable(), _fetch);
    }

    private int Answer(CacheEntry entry, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, int limit, ushort advertised, uint? staleTtl)
    {
        if (entry.Kind == CacheEntryKind.ServFail)
        {
            return ResponseWriter.WriteError(query, scan, DnsResponseCode.ServFail, output, advertised, ExtendedErrorCode.NoReachableAuthority);
        }

        if (ResponseWriter.CanPatch(entry, scan))
        {
            return ResponseWriter.WriteEntry(entry, query, scan, output, limit, advertised, _cache.Time, staleTtl);
        }

        return NameErrorBelow(entry, query, scan, output, limit, advertised, staleTtl);
    }

    /// <summary>RFC 8020: an NXDOMAIN cached for an ancestor answers for this name too; re-encoded since the question differs.</summary>
    private int NameErrorBelow(CacheEntry entry, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, int limit, ushort advertised, uint? staleTtl)
    {
        // Built from the scan, not by parsing the query again: the full parser is stricter than the scan.
        var stored = DnsMessage.Parse(entry.Response);
        var response = NewResponse(DnsName.FromWire(query[DnsHeader.Size..(scan.QuestionEnd - 4)]), scan, advertised);
        response.ResponseCode = DnsResponseCode.NXDomain;
        var remaining = staleTtl ?? entry.RemainingTtl(_cache.Time);
        response.Authorities.AddRange(stored.Authorities.Select(r => new DnsResourceRecord(r.Name, Math.Min(r.Ttl, remaining), r.Data, r.Class)));
        if (staleTtl is not null)
        {
            response.Edns?.Options.Add(new ExtendedErrorOption(ExtendedErrorCode.StaleNXDomainAnswer));
        }

        return ResponseWriter.WriteMessage(response, output, limit);
    }

    private static int WriteLocal(LocalAnswer local, ReadOnlySpan<byte> name, in QueryScan scan, Span<byte> output, int limit, ushort advertised)
    {
        var response = NewResponse(DnsName.FromWire(name), scan, advertised);
        response.AuthoritativeAnswer = true;
        response.Answers.AddRange(local.Records);
        if (local.Authority is not null)
        {
            response.Authorities.Add(local.Authority);
        }

        return ResponseWriter.WriteMessage(response, output, limit);
    }

    /// <summary>A response built off the hot path: ID, RD and CD from the query, RA set, the question, and OPT if the query had one.</summary>
    private static DnsMessage NewResponse(DnsName questionName, in QueryScan scan, ushort advertised)
    {
        var response = new DnsMessage
        {
            Id = scan.Header.Id,
            IsResponse = true,
            RecursionDesired = scan.Header.RecursionDesired,
            CheckingDisabled = scan.Header.CheckingDisabled,
            RecursionAvailable = true,
            Edns = scan.Edns.Present ? new EdnsRecord { UdpPayloadSize = advertised, DnssecOk = scan.Edns.DnssecOk } : null,
        };
        response.Questions.Add(new DnsQuestion(questionName, scan.Type, scan.Class));
        return response;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Malformed query from {Client}: {Error}")]
    private static partial void LogMalformed(ILogger logger, IPAddress client, DnsParseError error);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Query from {Client} over {Transport}: {Name} {Type} answered {Rcode} from {Source} (upstream {Upstream}) in {ElapsedMs:F2} ms")]
    private static partial void LogAnswered(
        ILogger logger, IPAddress client, DnsTransport transport, DnsName name, DnsRecordType type, string rcode, string source, string upstream, double elapsedMs);

    /// <summary>Who asked and how, carried to where the answer is counted; <see cref="LoggedSince"/> is 0 unless Dns:LogQueries.</summary>
    private readonly record struct Asked(IPAddress Client, DnsTransport Transport, long LoggedSince);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Serving {Key} stale: {Reason}")]
    private static partial void LogServedStale(ILogger logger, CacheKey key, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "SERVFAIL for {Key}: every upstream failed (last {Upstream}: {Error})")]
    private static partial void LogServFail(ILogger logger, CacheKey key, string upstream, string error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "Prefetching {Key}")]
    private static partial void LogPrefetch(ILogger logger, CacheKey key);
}
