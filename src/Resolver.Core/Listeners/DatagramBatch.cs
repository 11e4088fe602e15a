using System.Net.Sockets;
using System.Runtime.InteropServices;
using Resolver.Core.Polling;

namespace Resolver.Core.Listeners;

/// <summary>
/// Several UDP datagrams per system call on Linux: <c>recvmmsg</c> fills up to <see cref="Capacity"/> slots with what
/// the socket has queued (waiting for the first, or not), and the answers queued meanwhile, up to <see cref="Capacity"/>, leave in one
/// <c>sendmmsg</c>. .NET has no API for either, hence the P/Invoke. The slots live in native memory, fixed for the
/// kernel; a datagram is copied out for the pipeline and an answer, with its address, copied in (tens of bytes each).
/// </summary>
internal sealed unsafe partial class DatagramBatch : IDisposable
{
    public const int Capacity = 32;
    private const int AddressSize = 128; // sockaddr_storage
    private const int MsgDontWait = 0x40;
    private const int MsgWaitForOne = 0x10000;

    private readonly int _maxDatagram;
    private readonly int _maxAnswer;
    private readonly MMsgHdr* _received;
    private readonly MMsgHdr* _answers;
    private readonly IoVec* _vectors; // Capacity for receiving, then Capacity for answers
    private readonly byte* _addresses;
    private readonly byte* _destinations;
    private readonly byte* _inbound;
    private readonly byte* _outbound;
    private int _queued;

    public DatagramBatch(int maxDatagram, int maxAnswer)
    {
        _maxDatagram = maxDatagram;
        _maxAnswer = maxAnswer;
        _received = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
        _answers = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
        _vectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(2 * Capacity * sizeof(IoVec)));
        _addresses = (byte*)NativeMemory.AllocZeroed(Capacity * AddressSize);
        _destinations = (byte*)NativeMemory.AllocZeroed(Capacity * AddressSize);
        _inbound = (byte*)NativeMemory.Alloc((nuint)(Capacity * maxDatagram));
        _outbound = (byte*)NativeMemory.Alloc((nuint)(Capacity * maxAnswer));
        for (var i = 0; i < Capacity; i++)
        {
            _vectors[i] = new IoVec { Base = _inbound + (i * maxDatagram), Length = (nuint)maxDatagram };
            _received[i].Header.Iov = &_vectors[i];
            _received[i].Header.IovLength = 1;
            _answers[i].Header.Iov = &_vectors[Capacity + i];
            _answers[i].Header.IovLength = 1;
            _answers[i].Header.Name = _destinations + (i * AddressSize);
        }
    }

    /// <summary>
    /// Takes the datagrams queued, up to <see cref="Capacity"/>; with <paramref name="wait"/>, first waits for one (up to
    /// the socket's receive timeout). Returns how many; 0 when none came or the call was interrupted. Throws
    /// <see cref="SocketException"/> for other errors.
    /// </summary>
    public int Receive(SafeHandle socket, bool wait = false)
    {
        for (var i = 0; i < Capacity; i++)
        {
            _received[i].Header.Name = _addresses + (i * AddressSize);
            _received[i].Header.NameLength = AddressSize;
            _received[i].Header.Flags = 0;
            _received[i].Length = 0;
        }

        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var count = RecvMmsg((int)socket.DangerousGetHandle(), _received, Capacity, wait ? MsgWaitForOne : MsgDontWait, null);
            if (count >= 0)
            {
                return count;
            }

            var error = Marshal.GetLastPInvokeError();
            return error is Errno.EIntr or Errno.EAgain ? 0 : throw Errno.ToException(error);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>The <paramref name="index"/>th datagram received (cut at the slot's size if it was larger).</summary>
    public ReadOnlySpan<byte> Datagram(int index) =>
        new(_inbound + (index * _maxDatagram), (int)Math.Min(_received[index].Length, (uint)_maxDatagram));

    /// <summary>The sender of the <paramref name="index"/>th datagram, as a sockaddr.</summary>
    public ReadOnlySpan<byte> Sender(int index) => new(_addresses + (index * AddressSize), (int)_received[index].Header.NameLength);

    /// <summary>No room for another answer until <see cref="Send"/>.</summary>
    public bool IsFull => _queued == Capacity;

    /// <summary>Queues <paramref name="answer"/> for <paramref name="to"/> (a sockaddr); it leaves at <see cref="Send"/>.</summary>
    public void Queue(ReadOnlySpan<byte> to, ReadOnlySpan<byte> answer)
    {
        var slot = _queued++;
        var target = _outbound + (slot * _maxAnswer);
        var length = Math.Min(answer.Length, _maxAnswer);
        answer[..length].CopyTo(new Span<byte>(target, length));
        _vectors[Capacity + slot] = new IoVec { Base = target, Length = (nuint)length };
        var address = Math.Min(to.Length, AddressSize);
        to[..address].CopyTo(new Span<byte>(_destinations + (slot * AddressSize), address));
        _answers[slot].Header.NameLength = (uint)address;
        _answers[slot].Length = 0;
    }

    /// <summary>Sends every queued answer; one the kernel refuses is skipped, not retried. Returns the last refusal's reason, or null.</summary>
    public string? Send(SafeHandle socket)
    {
        string? result = null;
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var handle = (int)socket.DangerousGetHandle();
            var first = 0;
            while (first < _queued)
            {
                var sent = SendMmsg(handle, _answers + first, (uint)(_queued - first), 0);
                if (sent > 0)
                {
                    first += sent;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Errno.EIntr)
                {
                    continue;
                }

                result = Marshal.GetPInvokeErrorMessage(error);
                first++; // this answer cannot go; the rest still can
            }
        }
        finally
        {
            _queued = 0;
            if (added)
            {
                socket.DangerousRelease();
            }
        }

        return result;
    }

    public void Dispose()
    {
        NativeMemory.Free(_received);
        NativeMemory.Free(_answers);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_destinations);
        NativeMemory.Free(_inbound);
        NativeMemory.Free(_outbound);
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMmsg(int socket, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMmsg(int socket, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: a message and the bytes it carried.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
