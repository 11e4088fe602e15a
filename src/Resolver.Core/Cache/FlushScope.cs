using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Cache;

/// <summary>
/// What a flush removes: one name (all types or one), a subtree, or everything; optionally only
/// negative entries (NXDOMAIN, NODATA, remembered SERVFAIL) or only stale ones.
/// </summary>
public sealed record FlushScope
{
    private byte[]? _canonicalName;

    /// <summary>The name to flush; null with <see cref="All"/>.</summary>
    public DnsName? Name { get; init; }

    /// <summary>Only this type (an NXDOMAIN for the name, which covers every type, goes too).</summary>
    public DnsRecordType? Type { get; init; }

    /// <summary>The name and everything below it.</summary>
    public bool Subtree { get; init; }

    public bool NegativeOnly { get; init; }

    public bool StaleOnly { get; init; }

    public bool All { get; init; }

    /// <summary>The name as a lower-cased wire name, the form of cache keys; null for everything.</summary>
    internal byte[]? CanonicalName
    {
        get
        {
            if (Name is null || _canonicalName is not null)
            {
                return _canonicalName;
            }

            var wire = new byte[Name.Wire.Length];
            Name.CopyCanonical(wire);
            return _canonicalName = wire;
        }
    }

    /// <summary>
    /// Whether the scope names this key: the name (or its subtree) in the scope's type (an NXDOMAIN
    /// marker covers every type), or the NXDOMAIN marker of an ancestor, which may cover the name.
    /// </summary>
    internal bool NamesKey(CacheKey key)
    {
        var name = CanonicalName;
        return name is null
            || ((Subtree ? NameWire.IsAtOrBelow(key.Name, name) : key.Name.SequenceEqual(name)) && (Type is not { } type || key.Type == type || key.IsNameError))
            || (key.IsNameError && NameWire.IsAtOrBelow(name, key.Name));
    }

    /// <summary>Whether the scope takes entries of this kind: any, or with <see cref="NegativeOnly"/> NXDOMAIN, NODATA and SERVFAIL.</summary>
    internal bool TakesKind(CacheEntry entry) => !NegativeOnly || entry.IsNegative || entry.Kind == CacheEntryKind.ServFail;

    /// <summary>A short label for metrics and audit lines: all, name, subtree, each with -negative/-stale.</summary>
    public string Kind =>
        (All ? "all" : Subtree ? "subtree" : "name") + (NegativeOnly ? "-negative" : string.Empty) + (StaleOnly ? "-stale" : string.Empty);

    public override string ToString()
    {
        var target = All ? "everything" : $"{Name}{(Subtree ? " and below" : string.Empty)}{(Type is { } type ? " " + Mnemonics.ToText(type) : string.Empty)}";
        return $"{target}{(NegativeOnly ? ", negative only" : string.Empty)}{(StaleOnly ? ", stale only" : string.Empty)}";
    }
}
