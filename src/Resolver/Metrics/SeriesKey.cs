using System.Runtime.CompilerServices;

namespace Resolver.Metrics;

/// <summary>
/// The tag set of one series, sorted by tag name so the order a caller adds tags in does not matter.
/// Up to <see cref="InlineCapacity"/> tags are held inline: building, hashing and comparing a key then
/// allocates nothing (the tag values are the caller's objects, compared with <see cref="object.Equals(object?, object?)"/>).
/// Larger tag sets fall back to an array.
/// </summary>
internal readonly struct SeriesKey : IEquatable<SeriesKey>
{
    public const int InlineCapacity = 4;

    private readonly InlineTags _inline;
    private readonly KeyValuePair<string, object?>[]? _overflow;
    private readonly int _hash;

    private SeriesKey(InlineTags inline, KeyValuePair<string, object?>[]? overflow, int count, int hash)
    {
        _inline = inline;
        _overflow = overflow;
        Count = count;
        _hash = hash;
    }

    public int Count { get; }

    public KeyValuePair<string, object?> this[int index] => _overflow is null ? _inline[index] : _overflow[index];

    public static SeriesKey Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var inline = default(InlineTags);
        KeyValuePair<string, object?>[]? overflow = null;
        scoped Span<KeyValuePair<string, object?>> sorted;
        if (tags.Length <= InlineCapacity)
        {
            sorted = ((Span<KeyValuePair<string, object?>>)inline)[..tags.Length];
        }
        else
        {
            overflow = new KeyValuePair<string, object?>[tags.Length];
            sorted = overflow;
        }

        tags.CopyTo(sorted);
        SortByName(sorted);

        var hash = default(HashCode);
        foreach (var tag in sorted)
        {
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value);
        }

        return new SeriesKey(inline, overflow, tags.Length, hash.ToHashCode());
    }

    public bool Equals(SeriesKey other)
    {
        if (_hash != other._hash || Count != other.Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            var mine = this[i];
            var theirs = other[i];
            if (!string.Equals(mine.Key, theirs.Key, StringComparison.Ordinal) || !Equals(mine.Value, theirs.Value))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is SeriesKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(SeriesKey left, SeriesKey right) => left.Equals(right);

    public static bool operator !=(SeriesKey left, SeriesKey right) => !left.Equals(right);

    // Insertion sort: tag sets are tiny, and this allocates nothing.
    private static void SortByName(Span<KeyValuePair<string, object?>> tags)
    {
        for (var i = 1; i < tags.Length; i++)
        {
            var current = tags[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(tags[j].Key, current.Key) > 0)
            {
                tags[j + 1] = tags[j];
                j--;
            }

            tags[j + 1] = current;
        }
    }

    [InlineArray(InlineCapacity)]
    private struct InlineTags
    {
        private KeyValuePair<string, object?> _element;
    }
}
