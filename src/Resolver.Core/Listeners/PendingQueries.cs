namespace Resolver.Core.Listeners;

/// <summary>
/// Queries waiting on an upstream, over every listener, UDP and TCP alike (Dns:MaxPendingQueries). Past the cap a
/// question that needs an upstream is dropped; what the resolver can answer by itself still is. Each waiting query
/// holds its buffers, so this bounds memory under a flood of misses, whichever transport it comes over.
/// </summary>
internal sealed class PendingQueries(int max)
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public bool HasRoom => Volatile.Read(ref _count) < max;

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit() => Interlocked.Decrement(ref _count);
}
