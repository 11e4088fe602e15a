using System.Globalization;
using Resolver.Admin;

namespace Resolver.Cli;

/// <summary>The human-readable renderings of the admin API's answers.</summary>
internal static class CliOutput
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>"Removed N entries." with the entries, and the same per peer; false when a peer failed.</summary>
    public static bool Flush(TextWriter output, FlushResponse response, bool fleet)
    {
        output.WriteLine($"Removed {Count(response.Removed, "entry", "entries")}{(response.Removed > 0 ? ":" : ".")}");
        Removed(output, "  ", response.Entries, response.Removed, response.Truncated);
        if (fleet && response.Peers.Count == 0)
        {
            output.WriteLine("  no peers are configured (Admin:Peers)");
        }

        foreach (var peer in response.Peers)
        {
            output.WriteLine(peer.Error is null
                ? $"  peer {peer.Name} ({peer.Url}): removed {peer.Removed ?? 0}"
                : $"  peer {peer.Name} ({peer.Url}): FAILED: {peer.Error}");
            Removed(output, "    ", peer.Entries ?? [], peer.Removed ?? 0, peer.Truncated);
        }

        return response.Peers.All(p => p.Error is null);
    }

    /// <summary>One line per removed entry ("nx.example.com. * NxDomain"), and how many more went unlisted.</summary>
    private static void Removed(TextWriter output, string indent, IReadOnlyList<FlushedEntryView> entries, int removed, bool truncated)
    {
        foreach (var entry in entries)
        {
            output.WriteLine($"{indent}{entry.Name} {entry.Type} {entry.Kind}");
        }

        if (truncated)
        {
            output.WriteLine($"{indent}… and {removed - entries.Count} more");
        }
    }

    public static void Cache(TextWriter output, CacheNameView view)
    {
        if (view.Entries.Count == 0)
        {
            // The server's names are absolute ("www.example.com."): no second full stop.
            output.WriteLine(view.Name.EndsWith('.') ? $"No entries for {view.Name}" : $"No entries for {view.Name}.");
            return;
        }

        var table = new TextTable(["TYPE", "KIND", "RCODE", "TTL-LEFT/ORIGINAL", "STALE", "UPSTREAM", "HITS"], 6);
        foreach (var entry in view.Entries)
        {
            table.Add(
                entry.Type,
                entry.Kind,
                entry.Rcode,
                Invariant($"{entry.TtlLeft}/{entry.OriginalTtl}"),
                entry.Stale ? "yes" : "no",
                entry.Upstream ?? "-",
                entry.Hits.ToString(s_invariant));
        }

        table.Write(output, i =>
        {
            var entry = view.Entries[i];
            if (entry.CoveredBy is not null)
            {
                output.WriteLine($"    (covered by the NXDOMAIN of {entry.CoveredBy})");
            }

            if (entry.Hold is { } hold)
            {
                output.WriteLine($"    (HELD since {Time(hold.Since)}: {hold.Upstream} answered {hold.Answer}; served until {Time(hold.Until)} unless upstream has it again)");
            }

            foreach (var record in entry.Answer)
            {
                output.WriteLine("    " + Spaced(record));
            }

            foreach (var record in entry.Authority)
            {
                output.WriteLine("    " + Spaced(record) + "  ; authority");
            }
        });
    }

    public static void Upstreams(TextWriter output, IReadOnlyList<UpstreamView> upstreams)
    {
        if (upstreams.Count == 0)
        {
            output.WriteLine("No upstreams are configured.");
            return;
        }

        var table = new TextTable(["NAME", "STATE", "RTT(ms)", "RTO(ms)", "INFLIGHT", "QUERIES", "FAILURES", "TIMEOUTS", "DOWN-SINCE", "LAST-ERROR"], 2, 3, 4, 5, 6, 7);
        foreach (var u in upstreams)
        {
            table.Add(
                u.Name,
                u.State == "up" && u.DemotedUntil is not null ? "demoted" : u.State, // up, asked after the others for now
                u.SmoothedRttMs.ToString("0.0", s_invariant),
                u.RetransmitTimeoutMs.ToString("0", s_invariant),
                u.InFlight.ToString(s_invariant),
                u.Queries.ToString(s_invariant),
                u.Failures.ToString(s_invariant),
                u.Timeouts.ToString(s_invariant),
                u.DownSince?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", s_invariant) ?? "-",
                u.LastError ?? "-");
        }

        table.Write(output);
    }

    /// <summary>The watched names, then the holds in progress.</summary>
    public static void Watch(TextWriter output, WatchListView watch)
    {
        if (watch.Names.Count == 0)
        {
            output.WriteLine("No names are watched.");
        }
        else
        {
            var names = new TextTable(["NAME", "SUBTREE", "HOLD", "PROBE-INTERVAL"]);
            foreach (var rule in watch.Names)
            {
                names.Add(rule.Name, rule.Subtree ? "yes" : "no", rule.Hold.ToString("c", s_invariant), rule.ProbeInterval?.ToString("c", s_invariant) ?? "-");
            }

            names.Write(output);
        }

        output.WriteLine();
        if (watch.Holds.Count == 0)
        {
            output.WriteLine("No holds.");
            return;
        }

        var holds = new TextTable(["HELD", "TYPE", "SINCE", "UNTIL", "UPSTREAM", "ANSWER"]);
        foreach (var hold in watch.Holds)
        {
            holds.Add(hold.Name, hold.Type, Time(hold.Since), Time(hold.Until), hold.Upstream, hold.Answer);
        }

        holds.Write(output);
    }

    /// <summary>"Watching api.example.com. (hold 00:15:00)" and the like.</summary>
    public static void Watched(TextWriter output, string verb, WatchRuleView rule) =>
        output.WriteLine($"{verb} {rule.Name}{(rule.Subtree ? " and the names below it" : string.Empty)} (hold {rule.Hold.ToString("c", s_invariant)}"
            + (rule.ProbeInterval is { } probe ? $", probed every {probe.ToString("c", s_invariant)})" : ")"));

    /// <summary>The holds ended, each with the negative answer now served.</summary>
    public static void Accepted(TextWriter output, AcceptResponse response)
    {
        foreach (var hold in response.Accepted)
        {
            output.WriteLine($"Accepted {hold.Name} {hold.Type}: {hold.Answer} is served now (held since {Time(hold.Since)}).");
        }
    }

    /// <summary>"Token ops (Admin role)." then the recent admin actions, newest first.</summary>
    public static void Audit(TextWriter output, AuditView audit)
    {
        output.WriteLine($"Token {audit.Caller.Name} ({audit.Caller.Role} role).");
        if (audit.Entries.Count == 0)
        {
            output.WriteLine("No flushes, drains or watch changes since start.");
            return;
        }

        var table = new TextTable(["TIME", "CALLER", "ADDRESS", "ACTION", "TARGET", "DETAIL"]);
        foreach (var entry in audit.Entries)
        {
            table.Add(Time(entry.Time), entry.Caller, entry.Address, entry.Action, entry.Target, entry.Detail);
        }

        table.Write(output);
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", s_invariant);

    public static void Stats(TextWriter output, CacheStatsView stats)
    {
        (string Key, string Value)[] lines =
        [
            ("entries", Number(stats.Entries)),
            ("positive", Number(stats.Positive)),
            ("negative", Number(stats.Negative)),
            ("servfail", Number(stats.ServFail)),
            ("stale", Number(stats.Stale)),
            ("max entries", Number(stats.MaxEntries)),
            ("bytes", Number(stats.Bytes)),
            ("max bytes", Number(stats.MaxBytes)),
            ("response bytes", Number(stats.ResponseBytes)),
            ("hits", Number(stats.Hits)),
            ("misses", Number(stats.Misses)),
            ("hit ratio", (stats.HitRatio * 100).ToString("0.00", s_invariant) + " %"),
            ("negative hits", Number(stats.NegativeHits)),
            ("stale answers", Number(stats.StaleAnswers)),
            ("prefetches", Number(stats.Prefetches)),
            ("evictions", Number(stats.Evictions)),
            ("refusals", Number(stats.Refusals)),
            .. stats.Queries.OrderByDescending(q => q.Value).Select(q => ("queries " + q.Key, Number(q.Value))),
        ];
        var width = lines.Max(l => l.Key.Length) + 1;
        foreach (var (key, value) in lines)
        {
            output.WriteLine((key + ":").PadRight(width) + " " + value);
        }
    }

    private static string Number(long value) => value.ToString(s_invariant);

    private static string Count(int n, string one, string many) => Invariant($"{n} {(n == 1 ? one : many)}");

    private static string Invariant(FormattableString text) => text.ToString(s_invariant);

    /// <summary>Records come tab-separated (zone-file style); one space reads better in an indented list.</summary>
    private static string Spaced(string record) => record.Replace('\t', ' ');
}
