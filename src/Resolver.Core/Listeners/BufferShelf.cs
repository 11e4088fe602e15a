using System.Collections.Concurrent;

namespace Resolver.Core.Listeners;

/// <summary>
/// Buffers of one size for the queries a listener has waiting on an upstream, kept for the next miss.
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps at most 32 arrays of a size per CPU: a listener with a
/// few hundred misses in flight returned most of its buffers to nothing and allocated anew (6 KB per miss).
/// The shelf holds up to <c>capacity</c> buffers; beyond that a returned one is left to the collector.
/// </summary>
internal sealed class BufferShelf(int size, int capacity)
{
    private readonly ConcurrentQueue<byte[]> _buffers = new();
    private int _count;

    public byte[] Take()
    {
        if (_buffers.TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _count);
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Keeps a buffer that <see cref="Take"/> gave out.</summary>
    public void Put(byte[] buffer)
    {
        if (Interlocked.Increment(ref _count) > capacity)
        {
            Interlocked.Decrement(ref _count);
            return;
        }

        _buffers.Enqueue(buffer);
    }
}
