using Microsoft.Extensions.Logging;
using Resolver.Core.Cache;
using Resolver.Core.Upstreams;
using Resolver.Core.Watch;
using Resolver.Protocol.Records;

namespace Resolver.Core.Pipeline;

/// <summary>
/// Stands between an upstream's negative answer (NXDOMAIN or NODATA) and the positive answer the cache holds for the
/// same question, fresh or expired: a flip, which is how the outage in DESIGN.md began (a name failed upstream for a
/// moment, the failure was cached, sites stayed down for hours).
/// <list type="number">
/// <item>A second opinion (<see cref="UpstreamOptions.SecondOpinion"/>): before the negative answer replaces the
/// positive one, another upstream of the pool is asked. If it has the answer, its positive answer is cached and
/// served, the disagreement counted and logged, and the upstream that said otherwise is asked after the others for
/// a while. If it agrees, or cannot say, the negative answer stands.</item>
/// <item>A hold, for a watched name (<see cref="WatchList"/>): a negative answer that stands, or a failure of every
/// upstream, does not replace the positive answer until it has lasted the rule's hold. Meanwhile the positive answer
/// is served stale (Extended DNS Error 3) and upstream is re-asked with back-off; a positive answer ends the hold.
/// It needs Cache:ServeStale (on by default): without it, an expired answer is gone, and there is nothing to serve.</item>
/// </list>
/// A question with no positive answer cached costs one cache lookup more, on a negative or failed fetch only.
/// </summary>
internal sealed partial class FlipGuard(DnsCache cache, UpstreamClient upstreams, WatchList watches, HoldTable holds, ILogger logger)
{
    /// <summary>Whether <paramref name="key"/> is held and upstream is not to be asked yet (the back-off runs).</summary>
    public bool IsWaiting(CacheKey key) => holds.Find(key) is { IsWaiting: true };

    /// <summary>
    /// Whether <paramref name="entry"/>, fetched for a client, may be cached. Not an NXDOMAIN for a name with a question
    /// held: cached under the name, it would answer for the held question too (another type's NXDOMAIN is served, not kept).
    /// </summary>
    public bool MayStore(CacheEntry entry) => entry.Kind != CacheEntryKind.NxDomain || !holds.Holds(entry.Key.Name);

    /// <summary>
    /// The answer to cache and serve: <paramref name="fetched"/>, the second opinion that contradicts it, or, while a
    /// hold lasts, an <see cref="UpstreamOutcome.Held"/> result (serve the positive answer stale). At once, without a flip.
    /// </summary>
    public ValueTask<UpstreamResult<CacheEntry>> ReviewAsync(
        CacheKey key, byte[] name, UpstreamResult<CacheEntry> fetched, AnswerReader<CacheEntry> read, CancellationToken cancellationToken)
    {
        if (fetched.Answer is { IsNegative: false })
        {
            EndHold(key, fetched.Server);
            return new(fetched);
        }

        if (!cache.HoldsPositive(key))
        {
            holds.End(key); // flushed, evicted or spent: nothing left to hold on to
            return new(fetched);
        }

        return fetched is { Answer: not null, Server: { } first }
            ? new(AskAnotherAsync(key, name, fetched, first, read, cancellationToken))
            : new(Guard(key, fetched));
    }

    private async Task<UpstreamResult<CacheEntry>> AskAnotherAsync(
        CacheKey key, byte[] name, UpstreamResult<CacheEntry> fetched, UpstreamServer first, AnswerReader<CacheEntry> read, CancellationToken cancellationToken)
    {
        var second = await upstreams.SecondOpinionAsync(
            first, name, key.Type, key.Class, key.Flags.HasFlag(CacheFlags.DnssecOk), key.Flags.HasFlag(CacheFlags.CheckingDisabled), read, cancellationToken).ConfigureAwait(false);
        if (second is not { Answer: { Kind: CacheEntryKind.Positive } positive, Server: { } other })
        {
            return Guard(key, fetched);
        }

        upstreams.ReportDisagreement(first);
        LogDisagreement(logger, key.ToName().ToString(), key.Type, first.Name, fetched.Answer!.Describe(), other.Name, positive.Describe());
        EndHold(key, other);
        return second;
    }

    /// <summary>A negative answer or a failure that stands, where a positive answer is cached: held back for a watched name.</summary>
    private UpstreamResult<CacheEntry> Guard(CacheKey key, UpstreamResult<CacheEntry> fetched)
    {
        if (watches.RuleFor(key.Name) is not { } rule)
        {
            holds.End(key); // no longer watched
            return Stands(key, fetched);
        }

        var upstream = fetched.Server?.Name ?? "-";
        var answer = fetched.Answer?.Describe() ?? $"{fetched.Outcome} ({fetched.Error})";
        var hold = holds.Begin(key, rule, out var begun);
        if (hold.HasLasted)
        {
            holds.End(key);
            LogHoldLasted(logger, key.ToName().ToString(), key.Type, upstream, answer, rule.Hold);
            return Stands(key, fetched);
        }

        hold.Continue(upstream, answer, fetched.Answer);
        if (begun)
        {
            LogHoldBegan(logger, key.ToName().ToString(), key.Type, upstream, answer, hold.Until);
        }

        return new UpstreamResult<CacheEntry>(
            UpstreamOutcome.Held, null, fetched.Server, $"held (watched): {upstream} answered {answer}; the last good answer is served until {hold.Until:u} unless upstream has it again");
    }

    /// <summary>The answer goes ahead; a negative one replaces the positive answer, which goes (a failure leaves it, to be served stale).</summary>
    private UpstreamResult<CacheEntry> Stands(CacheKey key, UpstreamResult<CacheEntry> fetched)
    {
        if (fetched.Answer is not null)
        {
            cache.DropPositive(key);
        }

        return fetched;
    }

    private void EndHold(CacheKey key, UpstreamServer? server)
    {
        if (holds.End(key) is { } ended)
        {
            LogHoldEnded(logger, key.ToName().ToString(), key.Type, server?.Name ?? "-", ended.Since);
        }
    }

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning,
        Message = "Upstreams disagree on {Name} {Type}: {First} answered {FirstAnswer}, {Second} answered {SecondAnswer}. The positive answer is kept, and the first upstream is asked after the others for a while")]
    private static partial void LogDisagreement(ILogger logger, string name, DnsRecordType type, string first, string firstAnswer, string second, string secondAnswer);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning,
        Message = "Holding watched {Name} {Type}: {Upstream} answered {Answer}; the last good answer is served (stale) until {Until:u} unless upstream has it again")]
    private static partial void LogHoldBegan(ILogger logger, string name, DnsRecordType type, string upstream, string answer, DateTimeOffset until);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "Hold on watched {Name} {Type} ended: {Upstream} has the answer again (held since {Since:u})")]
    private static partial void LogHoldEnded(ILogger logger, string name, DnsRecordType type, string upstream, DateTimeOffset since);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning,
        Message = "Hold on watched {Name} {Type} has lasted {Hold}: {Upstream} still answers {Answer}, which is now served")]
    private static partial void LogHoldLasted(ILogger logger, string name, DnsRecordType type, string upstream, string answer, TimeSpan hold);
}
