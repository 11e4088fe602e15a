using Resolver.Core.Upstreams;
using System.Collections.Concurrent;
using Resolver.Core.Cache;

namespace Resolver.Core.Pipeline;

/// <summary>Identical questions in flight go upstream once; every asker awaits the same fetch.</summary>
internal sealed class InFlightQueries
{
    private readonly ConcurrentDictionary<CacheKey, Task<UpstreamResult<CacheEntry>>> _inFlight = new();

    public int Count => _inFlight.Count;

    public Task<UpstreamResult<CacheEntry>> GetOrStart(CacheKey key, Func<CacheKey, Task<UpstreamResult<CacheEntry>>> fetch)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var completion = new TaskCompletionSource<UpstreamResult<CacheEntry>>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, completion.Task))
            {
                _ = RunAsync(key, fetch, completion);
                return completion.Task;
            }
        }
    }

    private async Task RunAsync(CacheKey key, Func<CacheKey, Task<UpstreamResult<CacheEntry>>> fetch, TaskCompletionSource<UpstreamResult<CacheEntry>> completion)
    {
        try
        {
            completion.SetResult(await fetch(key).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            completion.SetException(e);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<CacheKey, Task<UpstreamResult<CacheEntry>>>(key, completion.Task));
        }
    }
}
