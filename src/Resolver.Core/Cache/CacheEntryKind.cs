namespace Resolver.Core.Cache;

public enum CacheEntryKind : byte
{
    /// <summary>NOERROR with answers.</summary>
    Positive,

    /// <summary>NOERROR, no answers: the name exists without this type (RFC 2308 NODATA).</summary>
    NoData,

    /// <summary>The name does not exist; cached per name and covering the subtree.</summary>
    NxDomain,

    /// <summary>Every upstream failed; remembered briefly.</summary>
    ServFail,
}
