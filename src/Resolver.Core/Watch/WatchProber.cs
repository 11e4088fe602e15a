using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Core.Timing;

namespace Resolver.Core.Watch;

/// <summary>
/// Re-resolves each watched name that has a probe interval, with no client asking: the types the cache holds a
/// positive answer for (A and AAAA when none), through the same fetch as a client's miss. A name that flips upstream
/// is then held (or answers negatively, or fails) in the metrics and the log before a user meets it: the
/// monitoring the outage report in DESIGN.md asked for after the fact. A subtree rule probes its own name.
/// </summary>
public sealed partial class WatchProber(WatchList watches, DnsCache cache, QueryProcessor processor, ResolverMetrics metrics, TimeProvider time, ILogger<WatchProber> logger)
    : BackgroundService
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);
    private static readonly DnsRecordType[] s_defaultTypes = [DnsRecordType.A, DnsRecordType.AAAA];
    private readonly Dictionary<DnsName, long> _due = []; // this service's loop only

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ProbeDueAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>Probes the names whose interval has run out since their last probe (at once for a name not probed yet).</summary>
    internal async Task ProbeDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        foreach (var rule in watches.Rules)
        {
            if (rule.ProbeInterval is not { } interval || (_due.TryGetValue(rule.Name, out var due) && now < due))
            {
                continue;
            }

            _due[rule.Name] = now + time.ToTimestampDelta(interval);
            foreach (var type in TypesOf(rule.Name))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await processor.RefreshAsync(CacheKey.Create(rule.Name.Wire, type, DnsClass.IN, CacheFlags.None)).ConfigureAwait(false);
                Report(rule.Name, type, result);
            }
        }
    }

    private IEnumerable<DnsRecordType> TypesOf(DnsName name)
    {
        var cached = cache.Inspect(name).Where(e => e.Kind == CacheEntryKind.Positive && e.Key.Flags == CacheFlags.None).Select(e => e.Key.Type).Distinct().ToList();
        return cached.Count > 0 ? cached : s_defaultTypes;
    }

    private void Report(DnsName name, DnsRecordType type, UpstreamResult<CacheEntry> result)
    {
        var (outcome, answer) = result switch
        {
            { Outcome: UpstreamOutcome.Held } => ("held", result.Error ?? "held"),
            { Answer: { IsNegative: true } negative } => ("negative", negative.Describe()),
            { Answer: not null } => ("answer", string.Empty),
            _ => ("failed", $"{result.Outcome} ({result.Error})"),
        };
        metrics.WatchProbed(name.ToString(), outcome);
        if (outcome != "answer")
        {
            LogProbe(logger, name.ToString(), type, result.Server?.Name ?? "-", answer);
        }
    }

    [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "Probe of watched {Name} {Type}: {Upstream} answered {Answer}")]
    private static partial void LogProbe(ILogger logger, string name, DnsRecordType type, string upstream, string answer);
}
