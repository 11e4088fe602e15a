using Resolver.Core.Cache;
using Resolver.Core.Timing;

namespace Resolver.Core.Watch;

/// <summary>
/// A watched question whose upstream answer turned negative (or failed) while the cache holds its positive answer:
/// the positive answer is served, marked stale, until the negative one has lasted the rule's hold, an upstream
/// answers positively again, or an operator accepts or flushes. Upstream is re-asked with back-off meanwhile.
/// </summary>
public sealed class Hold
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _began;
    private long _nextAsk;
    private int _asks;

    internal Hold(CacheKey key, WatchRule rule, TimeProvider time)
    {
        Key = key;
        Rule = rule;
        _time = time;
        _began = time.GetTimestamp();
        Since = time.GetUtcNow();
    }

    public CacheKey Key { get; }

    public WatchRule Rule { get; }

    public DateTimeOffset Since { get; }

    /// <summary>When the negative answer takes effect if nothing changes.</summary>
    public DateTimeOffset Until => Since + Rule.Hold;

    /// <summary>The upstream whose answer began or last continued the hold.</summary>
    public string Upstream { get; private set; } = string.Empty;

    /// <summary>What it answered: "NXDOMAIN", "NODATA", or why every upstream failed.</summary>
    public string Answer { get; private set; } = string.Empty;

    /// <summary>The latest negative answer (null for a failure): what accepting the hold caches.</summary>
    public CacheEntry? Negative { get; private set; }

    /// <summary>The negative answer has lasted the rule's hold: it takes effect at the next answer.</summary>
    public bool HasLasted => _time.GetElapsedTime(_began) >= Rule.Hold;

    /// <summary>Too early to ask upstream again: the back-off after the last negative answer runs (2 s, doubling, at most a minute).</summary>
    public bool IsWaiting
    {
        get
        {
            lock (_lock)
            {
                return _time.GetTimestamp() < _nextAsk;
            }
        }
    }

    /// <summary>Upstream said it again (<paramref name="upstream"/>, <paramref name="answer"/>): the next ask waits twice as long as the last.</summary>
    internal void Continue(string upstream, string answer, CacheEntry? negative)
    {
        lock (_lock)
        {
            Upstream = upstream;
            Answer = answer;
            Negative = negative ?? Negative;
            var wait = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Min(_asks, 16), MaxRetry.Ticks));
            _nextAsk = _time.TimestampAfter(wait);
            _asks++;
        }
    }
}
