using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Cache;

/// <summary>
/// What a flush removes: one name (all types or one), a subtree, or everything; optionally only
/// negative entries (NXDOMAIN, NODATA, remembered SERVFAIL) or only stale ones.
/// </summary>
public sealed record FlushScope
{
    /// <summary>The name to flush; null with <see cref="All"/>.</summary>
    public DnsName? Name { get; init; }

    /// <summary>Only this type (an NXDOMAIN for the name, which covers every type, goes too).</summary>
    public DnsRecordType? Type { get; init; }

    /// <summary>The name and everything below it.</summary>
    public bool Subtree { get; init; }

    public bool NegativeOnly { get; init; }

    public bool StaleOnly { get; init; }

    public bool All { get; init; }

    /// <summary>A short label for metrics and audit lines: all, name, subtree, each with -negative/-stale.</summary>
    public string Kind =>
        (All ? "all" : Subtree ? "subtree" : "name") + (NegativeOnly ? "-negative" : string.Empty) + (StaleOnly ? "-stale" : string.Empty);

    public override string ToString()
    {
        var target = All ? "everything" : $"{Name}{(Subtree ? " and below" : string.Empty)}{(Type is { } type ? " " + Mnemonics.ToText(type) : string.Empty)}";
        return $"{target}{(NegativeOnly ? ", negative only" : string.Empty)}{(StaleOnly ? ", stale only" : string.Empty)}";
    }
}
