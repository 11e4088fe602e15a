using Resolver.Core.Cache;
using Resolver.Core.Upstreams;

namespace Resolver.Core.Pipeline;

/// <summary>What a fetch produced: the entry built from the upstream answer (null when every upstream failed), and the upstream result.</summary>
internal sealed record FetchResult(CacheEntry? Entry, UpstreamResult Upstream);
