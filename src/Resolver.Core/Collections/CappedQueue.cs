using System.Collections.Concurrent;

namespace Resolver.Core.Collections;

/// <summary>
/// Items kept for reuse (buffers, sockets), oldest first, up to <c>capacity</c>: beyond that <see cref="TryPut"/>
/// refuses and the caller lets the item go. Safe from any thread.
/// </summary>
internal sealed class CappedQueue<T>(int capacity)
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public bool TryTake(out T item)
    {
        if (_items.TryDequeue(out item!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/>, unless <c>capacity</c> items are kept already.</summary>
    public bool TryPut(T item)
    {
        if (Interlocked.Increment(ref _count) > capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _items.Enqueue(item);
        return true;
    }
}
