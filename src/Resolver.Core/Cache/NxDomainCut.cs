namespace Resolver.Core.Cache;

/// <summary>
/// When a cached NXDOMAIN also answers for every name below it (RFC 8020). One wrong NXDOMAIN that cuts
/// a subtree takes every name below it down, so by default only answers the upstream validated do
/// (Unbound's harden-below-nxdomain). A cut never reaches names another upstream pool (a forwarder) serves.
/// </summary>
public enum NxDomainCut
{
    /// <summary>Only NXDOMAINs the upstream marked authenticated (AD=1, DNSSEC-validated) cover the subtree.</summary>
    Validated,

    /// <summary>Every NXDOMAIN covers the subtree.</summary>
    Always,

    /// <summary>An NXDOMAIN answers for its own name only.</summary>
    Off,
}
