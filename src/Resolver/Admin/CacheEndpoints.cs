using Resolver.Core.Cache;
using Resolver.Core.Telemetry;
using Resolver.Core.Watch;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Admin;

/// <summary>Flush, inspect and count the cache.</summary>
internal static partial class CacheEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/cache/flush", FlushAsync)
            .RequireAuthorization(BearerAuthentication.AdminPolicy)
            .WithSummary("Flush an exact name (all types or one), a subtree, only negative or only stale entries, or everything; optionally on every peer of the fleet.");
        api.MapGet("/cache/stats", Stats)
            .WithSummary("Entries by kind, hit ratio, evictions and refusals, bytes held against Cache:MaxBytes, queries answered by RCODE.");
        api.MapGet("/cache/{name}", (string name, HttpContext http, DnsCache cache, HoldTable holds) => Inspect(RouteName.Decode(http, name), cache, holds))
            .WithSummary("What the cache holds for a name: each type, its records, TTL left, negative or stale, which upstream answered, hits, and whether a watch holds it.");
        api.MapGet("/cache", (string? name, DnsCache cache, HoldTable holds) => name is null ? BadRequest("Name the domain: /api/v1/cache?name=www.example.com (or '.' for the root).") : Inspect(name, cache, holds))
            .WithSummary("The same as /cache/{name}, the name in the query string: for the root ('.', which a path cannot carry) and names with '/'.");
    }

    private static async Task<IResult> FlushAsync(
        FlushRequest? request, HttpContext http, DnsCache cache, HoldTable holds, ResolverMetrics metrics, FleetFlusher fleet, AuditTrail audit, ILoggerFactory loggers)
    {
        if (!TryScope(request, out var scope, out var problem))
        {
            return problem;
        }

        var result = cache.Flush(scope);
        holds.Prune(cache); // a hold whose last good answer was flushed is over
        metrics.Flushed(scope.Kind, result.Removed);
        var caller = AdminCaller.Of(http);
        var entries = result.Entries.Select(e => new FlushedEntryView(e.Key.ToName().ToString(), TypeText(e.Key), e.Kind.ToString())).ToList();
        LogFlush(loggers.CreateLogger("Resolver.Audit"), caller.Name, caller.Address, scope.ToString(), result.Removed, AuditList(entries, result.Truncated), request!.Fleet);

        IReadOnlyList<PeerFlushResult>? peers = null;
        try
        {
            peers = request.Fleet ? await fleet.FlushAsync(request, http.RequestAborted).ConfigureAwait(false) : [];
        }
        finally
        {
            // The local flush is recorded even when the caller went away before the peers answered.
            audit.Record(caller, "flush", scope.ToString(), AuditDetail(result.Removed, request.Fleet, peers));
        }

        return Results.Ok(new FlushResponse(result.Removed, entries, result.Truncated, peers));
    }

    private static IResult Inspect(string name, DnsCache cache, HoldTable holds)
    {
        if (!DnsName.TryParse(name, out var parsed))
        {
            return BadRequest($"'{name}' is not a valid domain name.");
        }

        var time = cache.Time;
        var entries = cache.Inspect(parsed).Select(entry => View(entry, parsed, time, holds.Find(entry.Key))).ToList();
        return Results.Ok(new CacheNameView(parsed.ToString(), entries));
    }

    private static CacheStatsView Stats(DnsCache cache, ResolverMetrics metrics)
    {
        var census = cache.Census();
        var hits = metrics.CacheHits;
        var misses = metrics.CacheMisses;
        var ratio = hits + misses == 0 ? 0 : Math.Round((double)hits / (hits + misses), 4);
        return new CacheStatsView(
            census.Entries, census.Positive, census.Negative, census.ServFail, census.Stale,
            hits, misses, ratio, metrics.NegativeHits, metrics.StaleAnswers, metrics.Prefetches,
            cache.Evictions, cache.Refusals, census.ResponseBytes, cache.Bytes, cache.Options.MaxBytes, cache.Options.MaxEntries,
            metrics.QueriesByRcode());
    }

    /// <summary>Turns a request into a flush scope, or a 400 that says what is wrong (nothing is flushed then).</summary>
    private static bool TryScope(FlushRequest? request, out FlushScope scope, out IResult problem)
    {
        scope = new FlushScope();
        problem = Results.Empty;
        string? error = null;
        DnsName? name = null;
        DnsRecordType? type = null;
        if (request is null)
        {
            error = "Send a JSON body, e.g. {\"name\": \"example.com\", \"subtree\": true, \"negativeOnly\": true} or {\"all\": true}.";
        }
        else if (request.All == (request.Name is not null))
        {
            error = request.All ? "Give either name or all, not both." : "Give a name to flush, or \"all\": true.";
        }
        else if (request.Name is not null && !DnsName.TryParse(request.Name, out name))
        {
            error = $"'{request.Name}' is not a valid domain name.";
        }
        else if (request.Type is not null && (request.All || !Mnemonics.TryParseType(request.Type, out type)))
        {
            error = request.All ? "type goes with a name, not with all." : $"'{request.Type}' is not a DNS record type (e.g. A, AAAA, MX, TYPE65280).";
        }
        else if (request.All && request.Subtree)
        {
            error = "subtree goes with a name, not with all.";
        }

        if (error is not null)
        {
            problem = BadRequest(error);
            return false;
        }

        scope = new FlushScope { Name = name, Type = type, Subtree = request!.Subtree, NegativeOnly = request.NegativeOnly, StaleOnly = request.StaleOnly, All = request.All };
        return true;
    }

    private static CacheEntryView View(CacheEntry entry, DnsName asked, TimeProvider time, Hold? hold)
    {
        var stored = DnsMessage.Parse(entry.Response);
        var left = entry.RemainingTtl(time);
        var coveredBy = entry.Key.IsNameError && !entry.Key.ToName().Equals(asked) ? entry.Key.ToName().ToString() : null;
        return new CacheEntryView(
            Type: TypeText(entry.Key),
            Kind: entry.Kind.ToString(),
            Rcode: Mnemonics.ToText(entry.Kind == CacheEntryKind.ServFail ? DnsResponseCode.ServFail : stored.ResponseCode),
            Negative: entry.IsNegative,
            Stale: !entry.IsFresh(time),
            TtlLeft: left,
            OriginalTtl: entry.Ttl,
            Upstream: entry.Upstream,
            Hits: entry.Hits,
            CoveredBy: coveredBy,
            Answer: Aged(stored.Answers, left),
            Authority: Aged(stored.Authorities, left),
            Held: hold is not null,
            Hold: hold is null ? null : WatchEndpoints.View(hold));
    }

    /// <summary>"*" for an NXDOMAIN marker (it covers every type), else the type's mnemonic.</summary>
    private static string TypeText(CacheKey key) => key.IsNameError ? "*" : Mnemonics.ToText(key.Type);

    /// <summary>The removed entries for the audit line: "name type" each, the first ten.</summary>
    private static string AuditList(List<FlushedEntryView> entries, bool truncated) =>
        string.Join(", ", entries.Take(10).Select(e => $"{e.Name} {e.Type}")) + (entries.Count > 10 || truncated ? ", …" : string.Empty);

    /// <summary>"removed 2", and with a fleet flush each peer's count or failure (<paramref name="peers"/> null: the caller left first).</summary>
    private static string AuditDetail(int removed, bool fleet, IReadOnlyList<PeerFlushResult>? peers) =>
        $"removed {removed}" + (!fleet ? string.Empty : "; fleet: " + peers switch
        {
            null => "the caller disconnected before the peers answered",
            [] => "no peers",
            _ => string.Join(", ", peers.Select(p => p.Error is null ? $"{p.Name} removed {p.Removed}" : $"{p.Name} failed: {p.Error}")),
        });

    private static List<string> Aged(List<DnsResourceRecord> records, uint left) =>
        [.. records.Select(r => new DnsResourceRecord(r.Name, Math.Min(r.Ttl, left), r.Data, r.Class).ToString())];

    internal static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    internal static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "AUDIT flush by {Caller} from {Client}: {Scope}; removed {Removed} [{Entries}]; fleet {Fleet}")]
    private static partial void LogFlush(ILogger logger, string caller, string client, string scope, int removed, string entries, bool fleet);
}
