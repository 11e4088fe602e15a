namespace Resolver.Core.Cache;

/// <summary>A count of what the cache holds right now, by kind and freshness.</summary>
public sealed record CacheCensus(int Entries, int Positive, int Negative, int ServFail, int Stale, long ResponseBytes);
