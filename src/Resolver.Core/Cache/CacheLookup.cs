namespace Resolver.Core.Cache;

public enum CacheLookupState : byte
{
    Miss,
    Fresh,

    /// <summary>Expired but within the serve-stale window: usable only when upstreams fail.</summary>
    Stale,
}

/// <summary>The outcome of a lookup: the entry (if any) and whether it is fresh or only stale.</summary>
public readonly record struct CacheLookup(CacheLookupState State, CacheEntry? Entry)
{
    public static CacheLookup Miss => default;
}
