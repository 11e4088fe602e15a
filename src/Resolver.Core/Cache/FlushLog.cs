namespace Resolver.Core.Cache;

/// <summary>
/// The last flushes, numbered, so an upstream fetch that began before a flush does not store an answer
/// the flush was meant to remove, while fetches for other names store as usual. A fetch notes
/// <see cref="Sequence"/> when it starts and asks <see cref="Blocks"/> before storing. Not thread-safe:
/// <see cref="DnsCache"/> records and checks under its lock.
/// </summary>
internal sealed class FlushLog
{
    /// <summary>Flushes remembered; a fetch older than that many flushes is refused (it is seconds old at most, so this is rare).</summary>
    private const int Capacity = 256;

    private readonly FlushScope[] _scopes = new FlushScope[Capacity];
    private long _sequence;

    public long Sequence => Volatile.Read(ref _sequence);

    public void Record(FlushScope scope)
    {
        var next = _sequence + 1;
        _scopes[next % Capacity] = scope;
        Volatile.Write(ref _sequence, next);
    }

    /// <summary>Whether a flush since <paramref name="since"/> would have removed <paramref name="entry"/> had it been cached then.</summary>
    public bool Blocks(long since, CacheEntry entry)
    {
        if (_sequence - since >= Capacity)
        {
            return since != _sequence;
        }

        for (var s = since + 1; s <= _sequence; s++)
        {
            if (Removes(_scopes[s % Capacity], entry))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The flush rule applied to a new entry: any NXDOMAIN of an ancestor counts (it may cover the name),
    /// and a stale-only flush never removes a new answer.
    /// </summary>
    private static bool Removes(FlushScope scope, CacheEntry entry) => !scope.StaleOnly && scope.NamesKey(entry.Key) && scope.TakesKind(entry);
}
