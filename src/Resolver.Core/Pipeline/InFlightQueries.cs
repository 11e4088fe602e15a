using Resolver.Core.Upstreams;
using System.Collections.Concurrent;
using Resolver.Core.Cache;

namespace Resolver.Core.Pipeline;

/// <summary>
/// Identical questions in flight go upstream once; every asker awaits the same fetch. The askers continue where
/// the answer arrived (on the socket's event thread), not on a thread-pool worker: that hop was a context switch
/// and a fifth of a miss's CPU. Each continuation only writes and sends its answer.
/// </summary>
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

            var completion = new TaskCompletionSource<UpstreamResult<CacheEntry>>();
            if (_inFlight.TryAdd(key, completion.Task))
            {
                _ = RunAsync(key, fetch, completion);
                return completion.Task;
            }
        }
    }

    /// <summary>The question leaves the table before its askers go on, so one that asks again starts afresh (or finds the cache).</summary>
    private async Task RunAsync(CacheKey key, Func<CacheKey, Task<UpstreamResult<CacheEntry>>> fetch, TaskCompletionSource<UpstreamResult<CacheEntry>> completion)
    {
        UpstreamResult<CacheEntry> result;
        try
        {
            result = await fetch(key).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Remove(key, completion);
            completion.SetException(e);
            return;
        }

        Remove(key, completion);
        completion.SetResult(result);
    }

    private void Remove(CacheKey key, TaskCompletionSource<UpstreamResult<CacheEntry>> completion) =>
        _inFlight.TryRemove(new KeyValuePair<CacheKey, Task<UpstreamResult<CacheEntry>>>(key, completion.Task));
}
