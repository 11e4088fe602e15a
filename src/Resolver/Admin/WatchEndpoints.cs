using Resolver.Core.Cache;
using Resolver.Core.Watch;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Admin;

/// <summary>Watched names: list them and their holds, watch and unwatch a name, accept a hold's negative answer.</summary>
internal static partial class WatchEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/watch", List)
            .WithSummary("The watched names (hold, subtree, probe interval) and the holds in progress: since when, which upstream answered what, until when.");
        api.MapPut("/watch/{name}", Set)
            .RequireAuthorization(BearerAuthentication.AdminPolicy)
            .WithSummary("Watch a name, or change its rule: a negative answer (or SERVFAIL) for it replaces a cached positive one only after it has lasted the hold.");
        api.MapDelete("/watch/{name}", Remove)
            .RequireAuthorization(BearerAuthentication.AdminPolicy)
            .WithSummary("Stop watching a name; its holds end, and the next negative answer is served.");
        api.MapPost("/watch/{name}/accept", Accept)
            .RequireAuthorization(BearerAuthentication.AdminPolicy)
            .WithSummary("End the holds on a name now: their negative answers are cached and served.");
    }

    private static WatchListView List(WatchList watches, HoldTable holds, DnsCache cache)
    {
        holds.Prune(cache);
        return new WatchListView([.. watches.Rules.Select(View)], [.. holds.All.Select(View)]);
    }

    private static IResult Set(string name, WatchRequest? request, WatchList watches, HttpContext http, AuditTrail audit, ILoggerFactory loggers)
    {
        name = RouteName.Decode(http, name);
        request ??= new WatchRequest();
        var errors = new List<string>();
        var rule = WatchRule.TryCreate(name, request.Subtree, request.Hold ?? WatchRule.DefaultHold, request.ProbeInterval, string.Empty, errors);
        if (rule is null)
        {
            return CacheEndpoints.BadRequest(string.Join(" ", errors));
        }

        watches.Set(rule);
        var caller = AdminCaller.Of(http);
        LogWatch(loggers.CreateLogger("Resolver.Audit"), caller.Name, caller.Address, rule.Name.ToString(), rule.Subtree, rule.Hold, rule.ProbeInterval);
        audit.Record(caller, "watch", rule.Name.ToString(), RuleText(rule));
        return Results.Ok(View(rule));
    }

    private static IResult Remove(string name, WatchList watches, HoldTable holds, HttpContext http, AuditTrail audit, ILoggerFactory loggers)
    {
        name = RouteName.Decode(http, name);
        if (!DnsName.TryParse(name, out var parsed))
        {
            return CacheEndpoints.BadRequest($"'{name}' is not a valid domain name.");
        }

        if (watches.Remove(parsed.ToLowerInvariant()) is not { } removed)
        {
            return CacheEndpoints.NotFound($"'{parsed}' is not watched.");
        }

        holds.EndUnwatched(watches);
        var caller = AdminCaller.Of(http);
        LogUnwatch(loggers.CreateLogger("Resolver.Audit"), caller.Name, caller.Address, removed.Name.ToString());
        audit.Record(caller, "unwatch", removed.Name.ToString(), RuleText(removed));
        return Results.Ok(View(removed));
    }

    private static IResult Accept(string name, HoldTable holds, DnsCache cache, HttpContext http, AuditTrail audit, ILoggerFactory loggers)
    {
        name = RouteName.Decode(http, name);
        if (!DnsName.TryParse(name, out var parsed))
        {
            return CacheEndpoints.BadRequest($"'{name}' is not a valid domain name.");
        }

        var accepted = holds.Accept(parsed, cache).Select(View).ToList();
        if (accepted.Count == 0)
        {
            return CacheEndpoints.NotFound($"No hold on '{parsed}'.");
        }

        var caller = AdminCaller.Of(http);
        var answers = string.Join(", ", accepted.Select(h => $"{h.Type} {h.Answer}"));
        LogAccept(loggers.CreateLogger("Resolver.Audit"), caller.Name, caller.Address, parsed.ToString(), answers);
        audit.Record(caller, "accept", parsed.ToString(), answers);
        return Results.Ok(new AcceptResponse(accepted));
    }

    internal static HoldView View(Hold hold) =>
        new(hold.Key.ToName().ToString(), Mnemonics.ToText(hold.Key.Type), hold.Since, hold.Until, hold.Upstream, hold.Answer);

    /// <summary>"subtree, hold 00:15:00, probe 00:00:30" for the audit trail.</summary>
    private static string RuleText(WatchRule rule) =>
        (rule.Subtree ? "subtree, " : string.Empty) + $"hold {rule.Hold:c}" + (rule.ProbeInterval is { } probe ? $", probe {probe:c}" : string.Empty);

    private static WatchRuleView View(WatchRule rule) => new(rule.Name.ToString(), rule.Subtree, rule.Hold, rule.ProbeInterval);

    [LoggerMessage(EventId = 512, Level = LogLevel.Information, Message = "AUDIT watch by {Caller} from {Client}: {Name} subtree {Subtree}, hold {Hold}, probe interval {ProbeInterval}")]
    private static partial void LogWatch(ILogger logger, string caller, string client, string name, bool subtree, TimeSpan hold, TimeSpan? probeInterval);

    [LoggerMessage(EventId = 513, Level = LogLevel.Information, Message = "AUDIT unwatch by {Caller} from {Client}: {Name}")]
    private static partial void LogUnwatch(ILogger logger, string caller, string client, string name);

    [LoggerMessage(EventId = 514, Level = LogLevel.Information, Message = "AUDIT hold accepted by {Caller} from {Client}: {Name} [{Holds}]")]
    private static partial void LogAccept(ILogger logger, string caller, string client, string name, string holds);
}
