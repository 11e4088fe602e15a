using System.Buffers;
using System.Runtime.InteropServices;

namespace Resolver.Core.Listeners;

/// <summary>
/// Room for one TCP answer (up to 65,535 bytes) that takes a pooled array only when the answer is written into
/// it. A miss waits on its upstream holding nothing, so a thousand queries in flight do not pin 64 KB each;
/// a cache hit borrows the array for the moment it takes to write the answer and copy it out.
/// </summary>
internal sealed class AnswerBuffer : MemoryManager<byte>
{
    public const int MaxMessage = ushort.MaxValue;
    private byte[]? _array;

    /// <summary>Whether an array is held: from the first write of the answer until disposed.</summary>
    public bool HoldsArray => _array is not null;

    /// <summary>The answer's <paramref name="length"/> bytes behind a two-byte length prefix: one exact-size TCP frame.</summary>
    public byte[] ToFrame(int length)
    {
        var frame = new byte[2 + length];
        frame[0] = (byte)(length >> 8);
        frame[1] = (byte)length;
        GetSpan()[..length].CopyTo(frame.AsSpan(2));
        return frame;
    }

    /// <summary>The base class would ask <see cref="GetSpan"/> for the length, taking the array up front.</summary>
    public override Memory<byte> Memory => CreateMemory(MaxMessage);

    public override Span<byte> GetSpan() => (_array ??= ArrayPool<byte>.Shared.Rent(MaxMessage)).AsSpan(0, MaxMessage);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(_array ??= ArrayPool<byte>.Shared.Rent(MaxMessage), GCHandleType.Pinned);
        unsafe
        {
            return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
        }
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
