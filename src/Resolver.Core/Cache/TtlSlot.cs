namespace Resolver.Core.Cache;

/// <summary>Where one record's TTL sits in a stored answer, and that TTL as stored (already clamped to the entry's).</summary>
public readonly record struct TtlSlot(int Offset, uint Ttl);
