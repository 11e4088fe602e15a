namespace Resolver.Core.Cache;

internal sealed partial class NameIndex
{
    /// <summary>
    /// One name: its entries (one per type, class and flags) and its place in the tree, children doubly linked
    /// so a child leaves its parent in O(1) however many siblings it has. What it holds is one field, kept
    /// small because there is a node for every cached name: the entry (most names have one), an array of
    /// them, or, with no entry, the name itself. A node with entries reads its name from the first one.
    /// </summary>
    private sealed class Node(object content, Node? parent)
    {
        private object _content = content; // a CacheEntry, a CacheEntry[] (two or more) or the name (byte[])

        /// <summary>The lower-cased wire name.</summary>
        public ReadOnlySpan<byte> Name => _content switch
        {
            CacheEntry entry => entry.Name,
            CacheEntry[] entries => entries[0].Name,
            _ => (byte[])_content,
        };

        public Node? Parent { get; } = parent;

        public Node? FirstChild { get; private set; }

        public Node? Next { get; private set; }

        private Node? Previous { get; set; }

        public bool IsEmpty => _content is byte[] && FirstChild is null;

        /// <summary>Stores the entry, in place of one with an equal key; returns that one, if any.</summary>
        public CacheEntry? Put(CacheEntry entry)
        {
            switch (_content)
            {
                case CacheEntry first when first.Equals(entry):
                    _content = entry;
                    return first;
                case CacheEntry first:
                    _content = new[] { first, entry };
                    return null;
                case CacheEntry[] entries:
                    for (var i = 0; i < entries.Length; i++)
                    {
                        if (entries[i].Equals(entry))
                        {
                            (var replaced, entries[i]) = (entries[i], entry);
                            return replaced;
                        }
                    }

                    _content = (CacheEntry[])[.. entries, entry];
                    return null;
                default:
                    _content = entry;
                    return null;
            }
        }

        /// <summary>Whether the node holds this very entry (entries are equal when their keys are: this is by reference).</summary>
        public bool Holds(CacheEntry entry) => _content switch
        {
            CacheEntry only => ReferenceEquals(only, entry),
            CacheEntry[] entries => IndexOf(entries, entry) >= 0,
            _ => false,
        };

        /// <summary>Whether taking this entry would leave the node holding nothing: no other entry, no child.</summary>
        public bool HoldsOnly(CacheEntry entry) => ReferenceEquals(_content, entry) && FirstChild is null;

        /// <summary>Removes an entry it <see cref="Holds"/>; a node left with children but no entry keeps a copy of its name.</summary>
        public void Take(CacheEntry entry)
        {
            if (_content is CacheEntry[] entries)
            {
                var index = IndexOf(entries, entry);
                _content = entries.Length == 2 ? entries[1 - index] : (CacheEntry[])[.. entries[..index], .. entries[(index + 1)..]];
            }
            else
            {
                Clear();
            }
        }

        /// <summary>Lets go of the entries, keeping a copy of the name.</summary>
        public void Clear()
        {
            if (_content is not byte[])
            {
                _content = Name.ToArray();
            }
        }

        public void ClearChildren() => FirstChild = null;

        public void CopyEntries(List<CacheEntry> into)
        {
            switch (_content)
            {
                case CacheEntry entry:
                    into.Add(entry);
                    break;
                case CacheEntry[] entries:
                    into.AddRange(entries);
                    break;
            }
        }

        public void CopyNameErrors(List<CacheEntry> into)
        {
            switch (_content)
            {
                case CacheEntry { IsNameError: true } entry:
                    into.Add(entry);
                    break;
                case CacheEntry[] entries:
                    into.AddRange(entries.Where(e => e.IsNameError));
                    break;
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
    }
}
