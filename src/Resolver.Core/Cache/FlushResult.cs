namespace Resolver.Core.Cache;

/// <summary>One entry a flush removed: its key (name, type or NXDOMAIN marker) and what it held.</summary>
public readonly record struct FlushedEntry(CacheKey Key, CacheEntryKind Kind);

/// <summary>
/// What a flush removed: the count, and the first <see cref="MaxListed"/> entries so an operator sees
/// which ones went (a covering NXDOMAIN of an ancestor among them).
/// </summary>
public sealed class FlushResult
{
    public const int MaxListed = 100;

    private readonly List<FlushedEntry> _entries = [];

    public int Removed { get; private set; }

    public IReadOnlyList<FlushedEntry> Entries => _entries;

    /// <summary>More entries went than <see cref="Entries"/> lists.</summary>
    public bool Truncated => Removed > _entries.Count;

    internal void Add(CacheEntry entry)
    {
        Removed++;
        if (_entries.Count < MaxListed)
        {
            _entries.Add(new FlushedEntry(entry.Key, entry.Kind));
        }
    }
}
