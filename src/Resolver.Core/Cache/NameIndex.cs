using System.Diagnostics.CodeAnalysis;
using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>
/// The cache's entries by name, beside <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/>
/// (which only finds a whole key): a hash of lower-cased wire names for the exact name, and each name
/// linked to its parent and children for the subtree. An exact flush or inspect costs O(1) in the cache
/// size, a subtree flush O(subtree). It also keeps the eviction order (<see cref="ClockList"/>) of the
/// entries it holds. Not thread-safe: <see cref="DnsCache"/> holds one lock around it and the MemoryCache
/// writes it mirrors.
/// </summary>
internal sealed partial class NameIndex
{
    private readonly HashSet<Node> _nodes = new(NameComparer.Instance);
    private readonly HashSet<Node>.AlternateLookup<ReadOnlySpan<byte>> _byName;
    private readonly Node _root = new(new byte[] { 0 }, parent: null);
    private readonly ClockList _clock = new();
    private readonly int[] _subtreeCuts = new int[NameWire.MaxNameLength / 2 + 1]; // NXDOMAIN entries that cut their subtree, by the labels of their name

    public NameIndex()
    {
        _byName = _nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        _nodes.Add(_root);
    }

    /// <summary>Names in the index, the root and names kept only as ancestors of others included.</summary>
    public int NameCount => _nodes.Count;

    /// <summary>Entries indexed.</summary>
    public int Count { get; private set; }

    /// <summary>The sum of the indexed entries' <see cref="CacheEntry.Footprint"/>.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Whether an NXDOMAIN that cuts its subtree (RFC 8020) may be cached for a name of <paramref name="labels"/>
    /// labels: when none is, a lookup need not look for one at that depth. Read without the lock: a store racing
    /// the read is found by the next lookup, as it would be had it come a moment later.
    /// </summary>
    public bool MayCutSubtreesAt(int labels) => Volatile.Read(ref _subtreeCuts[labels]) > 0;

    /// <summary>Adds <paramref name="entry"/> under its key's name, replacing the entry with an equal key.</summary>
    public void Add(CacheEntry entry)
    {
        if (!_byName.TryGetValue(entry.Name, out var node))
        {
            NewNode(entry.Name, entry);
        }
        else if (node.Put(entry) is { } replaced)
        {
            Forget(replaced);
        }

        entry.Indexed = true;
        _clock.AddNewest(entry);
        Count++;
        Bytes += entry.Footprint;
        CountCut(entry, 1);
    }

    /// <summary>Removes this entry (by identity: a newer entry with an equal key stays); false when it was not indexed.</summary>
    public bool Remove(CacheEntry entry)
    {
        if (!_byName.TryGetValue(entry.Name, out var node) || !node.Holds(entry))
        {
            return false;
        }

        Forget(entry);
        if (node.HoldsOnly(entry))
        {
            Prune(node); // it goes whole, reading its name from the entry to the end
        }
        else
        {
            node.Take(entry);
        }

        return true;
    }

    /// <summary>
    /// Takes <paramref name="name"/> and every name below it out of the index at once, with all their
    /// entries (added to <paramref name="into"/>): a whole-subtree flush, one hash operation per name.
    /// </summary>
    public void RemoveSubtree(ReadOnlySpan<byte> name, List<CacheEntry> into)
    {
        if (!_byName.TryGetValue(name, out var top))
        {
            return;
        }

        var start = into.Count;
        foreach (var node in Subtree(top))
        {
            node.CopyEntries(into);
            if (node == _root)
            {
                node.Clear(); // the only node that stays
            }
            else
            {
                _nodes.Remove(node); // before anything changes its name
            }
        }

        for (var i = start; i < into.Count; i++)
        {
            Forget(into[i]);
        }

        if (top.Parent is { } parent)
        {
            parent.Unlink(top);
            if (parent.IsEmpty)
            {
                Prune(parent);
            }
        }
        else
        {
            top.ClearChildren(); // the root stays, empty
        }
    }

    /// <summary>The entries of <paramref name="name"/> (a lower-cased wire name), and of every name below it with <paramref name="subtree"/>.</summary>
    public void Collect(ReadOnlySpan<byte> name, bool subtree, List<CacheEntry> into)
    {
        if (!_byName.TryGetValue(name, out var node))
        {
            return;
        }

        if (!subtree)
        {
            node.CopyEntries(into);
            return;
        }

        CollectBelow(node, into);
    }

    /// <summary>The NXDOMAIN entries cached for strict ancestors of <paramref name="name"/>, nearest first.</summary>
    public void CollectAncestorNameErrors(ReadOnlySpan<byte> name, List<CacheEntry> into)
    {
        for (var position = 0; name[position] != 0;)
        {
            position += name[position] + 1;
            if (_byName.TryGetValue(name[position..], out var ancestor))
            {
                ancestor.CopyNameErrors(into);
            }
        }
    }

    /// <summary>Every entry.</summary>
    public void CollectAll(List<CacheEntry> into) => CollectBelow(_root, into);

    private static void CollectBelow(Node top, List<CacheEntry> into)
    {
        foreach (var node in Subtree(top))
        {
            node.CopyEntries(into);
        }
    }

    /// <summary>
    /// <paramref name="top"/> and every node below it. A node's children are taken before it is yielded, so the
    /// caller may drop it from the hash (its links stay as they are).
    /// </summary>
    private static IEnumerable<Node> Subtree(Node top)
    {
        var pending = new Stack<Node>();
        pending.Push(top);
        while (pending.TryPop(out var node))
        {
            for (var child = node.FirstChild; child is not null; child = child.Next)
            {
                pending.Push(child);
            }

            yield return node;
        }
    }

    /// <summary>The node of <paramref name="name"/>, created (holding a copy of its name) with any missing ancestors.</summary>
    private Node NodeFor(ReadOnlySpan<byte> name) => _byName.TryGetValue(name, out var node) ? node : NewNode(name, name.ToArray());

    /// <summary>A node for <paramref name="name"/>, not yet indexed, holding <paramref name="content"/>: its first entry, or its name.</summary>
    private Node NewNode(ReadOnlySpan<byte> name, object content)
    {
        var parent = NodeFor(name[(name[0] + 1)..]);
        var node = new Node(content, parent);
        parent.Link(node);
        _nodes.Add(node);
        return node;
    }

    /// <summary>The entry eviction should take next (see <see cref="ClockList.NextVictim"/>); it stays indexed until removed.</summary>
    public CacheEntry? NextVictim(Func<CacheEntry, bool> spent) => _clock.NextVictim(spent);

    private void Forget(CacheEntry entry)
    {
        entry.Indexed = false;
        _clock.Remove(entry);
        Count--;
        Bytes -= entry.Footprint;
        CountCut(entry, -1);
    }

    private void CountCut(CacheEntry entry, int change)
    {
        if (entry.Key.IsNameError && entry.CutsSubtree)
        {
            ref var count = ref _subtreeCuts[NameWire.CountLabels(entry.Name)];
            Volatile.Write(ref count, count + change);
        }
    }

    /// <summary>Drops a node that holds nothing (or only an entry going with it), and then any ancestor left empty by that (never the root).</summary>
    private void Prune(Node node)
    {
        while (node.Parent is { } parent)
        {
            _nodes.Remove(node);
            parent.Unlink(node);
            if (!parent.IsEmpty)
            {
                return;
            }

            node = parent;
        }
    }

    /// <summary>
    /// Nodes are equal by name: byte-wise equality of lower-cased wire names, with a per-process seeded hash.
    /// Finds a node by a name span without allocating.
    /// </summary>
    private sealed class NameComparer : IEqualityComparer<Node>, IAlternateEqualityComparer<ReadOnlySpan<byte>, Node>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals(Node? x, Node? y) => x is not null && y is not null && x.Name.SequenceEqual(y.Name);

        public int GetHashCode([DisallowNull] Node obj) => GetHashCode(obj.Name);

        public bool Equals(ReadOnlySpan<byte> alternate, Node other) => alternate.SequenceEqual(other.Name);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        /// <summary>Not used: nodes are added whole, with their place in the tree.</summary>
        public Node Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException();
    }
}
