using System.Collections.Concurrent;
using Resolver.Core.Cache;

namespace Resolver.Core.Pipeline;

/// <summary>Identical questions in flight go upstream once; every asker awaits the same fetch.</summary>
internal sealed class InFlightQueries
{
    private readonly ConcurrentDictionary<CacheKey, Task<FetchResult>> _inFlight = new();

    public int Count => _inFlight.Count;

    public Task<FetchResult> GetOrStart(CacheKey key, Func<CacheKey, Task<FetchResult>> fetch)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var completion = new TaskCompletionSource<FetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, completion.Task))
            {
                _ = RunAsync(key, fetch, completion);
                return completion.Task;
            }
        }
    }

    private async Task RunAsync(CacheKey key, Func<CacheKey, Task<FetchResult>> fetch, TaskCompletionSource<FetchResult> completion)
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
            _inFlight.TryRemove(new KeyValuePair<CacheKey, Task<FetchResult>>(key, completion.Task));
        }
    }
}
