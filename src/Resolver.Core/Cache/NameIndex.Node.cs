namespace Resolver.Core.Cache;

internal sealed partial class NameIndex
{
    /// <summary>
    /// One name: its entries (one per type, class and flags; most names have one, so it sits in a field
    /// and only further ones take an array) and its place in the tree, children doubly linked so a child
    /// leaves its parent in O(1) however many siblings it has.
    /// </summary>
    private sealed class Node(byte[] wire, int offset, int length, Node? parent)
    {
        private readonly byte[] _wire = wire;
        private readonly int _offset = offset;
        private readonly int _length = length;
        private CacheEntry? _first;
        private CacheEntry[]? _more;

        /// <summary>The lower-cased wire name, read where it lies (mostly in a cached answer's question).</summary>
        public ReadOnlySpan<byte> Name => _wire.AsSpan(_offset, _length);

        public Node? Parent { get; } = parent;

        public Node? FirstChild { get; private set; }

        public Node? Next { get; private set; }

        private Node? Previous { get; set; }

        public bool IsEmpty => _first is null && _more is null && FirstChild is null;

        /// <summary>Stores the entry, in place of one with an equal key; returns that one, if any.</summary>
        public CacheEntry? Put(CacheEntry entry)
        {
            CacheEntry? replaced;
            if (_first is null || _first.Key.Equals(entry.Key))
            {
                (replaced, _first) = (_first, entry);
                return replaced;
            }

            var more = _more ?? [];
            for (var i = 0; i < more.Length; i++)
            {
                if (more[i].Key.Equals(entry.Key))
                {
                    (replaced, more[i]) = (more[i], entry);
                    return replaced;
                }
            }

            _more = [.. more, entry];
            return null;
        }

        /// <summary>Removes this very entry; false when the node holds another (or none) for its key.</summary>
        public bool Take(CacheEntry entry)
        {
            if (ReferenceEquals(_first, entry))
            {
                _first = null;
                if (_more is { } more)
                {
                    _first = more[^1];
                    _more = more.Length == 1 ? null : more[..^1];
                }

                return true;
            }

            var index = IndexOf(_more ?? [], entry);
            if (index < 0)
            {
                return false;
            }

            _more = _more!.Length == 1 ? null : [.. _more[..index], .. _more[(index + 1)..]];
            return true;
        }

        /// <summary>Where this very entry is (entries are equal when their keys are, so Array.IndexOf would not do).</summary>
        private static int IndexOf(CacheEntry[] entries, CacheEntry entry)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                if (ReferenceEquals(entries[i], entry))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Lets go of the entries (the node's links stay, for a walk in progress).</summary>
        public void Clear() => (_first, _more) = (null, null);

        public void ClearChildren() => FirstChild = null;

        public void CopyEntries(List<CacheEntry> into)
        {
            if (_first is not null)
            {
                into.Add(_first);
            }

            if (_more is not null)
            {
                into.AddRange(_more);
            }
        }

        public void CopyNameErrors(List<CacheEntry> into)
        {
            if (_first is { Key.IsNameError: true })
            {
                into.Add(_first);
            }

            foreach (var entry in _more ?? [])
            {
                if (entry.Key.IsNameError)
                {
                    into.Add(entry);
                }
            }
        }

        public void Link(Node child)
        {
            child.Next = FirstChild;
            if (FirstChild is not null)
            {
                FirstChild.Previous = child;
            }

            FirstChild = child;
        }

        public void Unlink(Node child)
        {
            if (child.Previous is null)
            {
                FirstChild = child.Next;
            }
            else
            {
                child.Previous.Next = child.Next;
            }

            if (child.Next is not null)
            {
                child.Next.Previous = child.Previous;
            }

            child.Next = null;
            child.Previous = null;
        }
    }
}
