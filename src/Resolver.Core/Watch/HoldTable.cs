using System.Collections.Concurrent;
using Resolver.Core.Cache;
using Resolver.Protocol.Names;

namespace Resolver.Core.Watch;

/// <summary>
/// The holds in progress, by question. Every miss asks whether it is empty, so that is one field read: the
/// dictionary's own IsEmpty takes all of its locks when it is empty (the common case), which cost a miss 1-2 µs.
/// </summary>
public sealed class HoldTable(TimeProvider time)
{
    private readonly ConcurrentDictionary<CacheKey, Hold> _holds = new();
    private int _count; // kept beside the dictionary, whose Count and IsEmpty lock it
    private long _started;

    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Holds begun since start.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Every hold, by name.</summary>
    public IReadOnlyList<Hold> All => [.. _holds.Values.OrderBy(h => h.Key.ToName().ToString(), StringComparer.Ordinal).ThenBy(h => h.Key.Type)];

    public Hold? Find(CacheKey key) => !IsEmpty && _holds.TryGetValue(key, out var hold) ? hold : null;

    /// <summary>Whether a question of <paramref name="name"/> (a wire name), of any type, is held.</summary>
    public bool Holds(ReadOnlySpan<byte> name)
    {
        if (IsEmpty)
        {
            return false;
        }

        foreach (var key in _holds.Keys)
        {
            if (NameWire.EqualsIgnoreCase(key.Name, name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The hold of <paramref name="key"/> under <paramref name="rule"/>, begun now if there was none (<paramref name="begun"/>).</summary>
    public Hold Begin(CacheKey key, WatchRule rule, out bool begun)
    {
        ArgumentNullException.ThrowIfNull(key);
        var created = new Hold(key.ToStable(), rule, time);
        Interlocked.Increment(ref _count); // before the add: no moment when the hold is there and the table says empty
        var hold = _holds.GetOrAdd(created.Key, created);
        begun = ReferenceEquals(hold, created);
        if (begun)
        {
            Interlocked.Increment(ref _started);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }

        return hold;
    }

    /// <summary>Ends the hold of <paramref name="key"/>; null if there was none.</summary>
    public Hold? End(CacheKey key)
    {
        if (IsEmpty || !_holds.TryRemove(key, out var hold))
        {
            return null;
        }

        Interlocked.Decrement(ref _count);
        return hold;
    }

    /// <summary>
    /// An operator takes the negative answers of <paramref name="name"/>'s holds now: each hold ends, its negative answer
    /// is cached and the positive one dropped (for a hold on a failure, the positive one is dropped and the next query
    /// goes upstream). Returns the holds ended.
    /// </summary>
    public IReadOnlyList<Hold> Accept(DnsName name, DnsCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var accepted = EndAt(name, subtree: false);
        foreach (var hold in accepted)
        {
            if (hold.Negative is { } negative)
            {
                cache.Store(negative, cache.Generation);
            }

            cache.DropPositive(hold.Key);
        }

        return accepted;
    }

    /// <summary>Ends the holds whose positive answer the cache no longer has (flushed, evicted), returning how many.</summary>
    public int Prune(DnsCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return EndWhere(hold => !cache.HoldsPositive(hold.Key)).Count;
    }

    /// <summary>Ends the holds of the names no rule of <paramref name="watches"/> covers any more, returning how many.</summary>
    public int EndUnwatched(WatchList watches)
    {
        ArgumentNullException.ThrowIfNull(watches);
        return EndWhere(hold => watches.RuleFor(hold.Key.Name) is null).Count;
    }

    private List<Hold> EndWhere(Func<Hold, bool> ends)
    {
        var ended = new List<Hold>();
        foreach (var (key, hold) in _holds)
        {
            if (ends(hold) && _holds.TryRemove(new KeyValuePair<CacheKey, Hold>(key, hold)))
            {
                Interlocked.Decrement(ref _count);
                ended.Add(hold);
            }
        }

        return ended;
    }

    /// <summary>Ends the holds of <paramref name="name"/> (and, with <paramref name="subtree"/>, of the names below it), returning them.</summary>
    public IReadOnlyList<Hold> EndAt(DnsName name, bool subtree)
    {
        ArgumentNullException.ThrowIfNull(name);
        return EndWhere(hold => subtree ? NameWire.IsAtOrBelow(hold.Key.Name, name.Wire) : NameWire.EqualsIgnoreCase(hold.Key.Name, name.Wire));
    }
}
