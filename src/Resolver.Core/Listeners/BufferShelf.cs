using Resolver.Core.Collections;

namespace Resolver.Core.Listeners;

/// <summary>
/// Buffers of one size for the queries a listener has waiting on an upstream, kept for the next miss.
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps at most 32 arrays of a size per CPU: a listener with a
/// few hundred misses in flight returned most of its buffers to nothing and allocated anew (6 KB per miss).
/// The shelf holds up to <c>capacity</c> buffers; beyond that a returned one is left to the collector.
/// </summary>
internal sealed class BufferShelf(int size, int capacity)
{
    private readonly CappedQueue<byte[]> _buffers = new(capacity);

    public byte[] Take() => _buffers.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(size);

    /// <summary>Keeps a buffer that <see cref="Take"/> gave out.</summary>
    public void Put(byte[] buffer) => _buffers.TryPut(buffer);
}
