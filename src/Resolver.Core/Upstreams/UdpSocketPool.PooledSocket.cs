using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Resolver.Core.Polling;

namespace Resolver.Core.Upstreams;

internal sealed partial class UdpSocketPool
{
    /// <summary>
    /// A socket with its receive buffer and when it was opened. Unwatched, it is read through .NET's socket engine;
    /// watched by a <see cref="PollLoop"/>, its query leaves at the end of the loop's turn with the turn's others,
    /// and the loop reads each datagram into the buffer on its thread and hands the length to the exchange waiting
    /// (<see cref="ReceiveAsync"/>), whose continuation runs right there. A datagram with no exchange waiting (a
    /// late or repeated answer) is dropped.
    /// </summary>
    private sealed partial class PooledSocket(Socket socket, long opened) : IReadable, ITurnEnd, IValueTaskSource<int>
    {
        private const int MsgDontWait = 0x40;
        private ManualResetValueTaskSourceCore<int> _received; // continuations run on the loop's thread, where the answer was read
        private CancellationTokenRegistration _cancellation;
        private ReadOnlyMemory<byte> _held; // the query waiting for the turn's end
        private int _waiting; // 1 while an exchange waits; whoever sets it back to 0 completes the wait
        private int _closed;
        private int _slot;

        public byte[] Buffer { get; } = ArrayPool<byte>.Shared.Rent(BufferSize);

        public long Opened { get; } = opened;

        /// <summary>The loop that reads this socket, or null when .NET's engine does.</summary>
        public PollLoop? Loop { get; private set; }

        /// <summary>Hands the socket to <paramref name="loop"/> (the calling thread's) for reading.</summary>
        public void Watch(PollLoop loop)
        {
            socket.Blocking = false; // the loop reads only what is there; a send never waits on UDP anyway
            _slot = loop.Add(socket.SafeHandle, this);
            Loop = loop;
        }

        /// <summary>Sends <paramref name="datagram"/>; on a loop, at the end of the turn, a failure ending the receive that follows.</summary>
        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
        {
            if (Loop is null)
            {
                return socket.SendAsync(datagram, SocketFlags.None, cancellationToken);
            }

            _held = datagram;
            Loop.AtTurnEnd(this);
            return new(datagram.Length);
        }

        public void OnTurnEnd()
        {
            var datagram = _held;
            _held = default;
            if (Volatile.Read(ref _closed) == 1)
            {
                return; // its exchange ended first (it is closed on this thread only)
            }

            var sent = Send(datagram.Span);
            if (sent < 0 && EndWait())
            {
                _received.SetException(Errno.ToException(-sent));
            }
        }

        /// <summary>The length of the next datagram, in <see cref="Buffer"/>.</summary>
        public ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
        {
            if (Loop is null)
            {
                return socket.ReceiveAsync(Buffer.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken);
            }

            _received.Reset();
            Loop.Await();
            Volatile.Write(ref _waiting, 1);
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PooledSocket)state!).Cancel(token), this);
            }

            return new ValueTask<int>(this, _received.Version);
        }

        /// <summary>Closes the socket (once; a watched one on its loop's thread, where it is read) and returns the buffer.</summary>
        public void Close()
        {
            if (Loop is { IsClosed: false } loop && !loop.IsCurrent)
            {
                loop.Post(Close);
                return;
            }

            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            if (Loop is { IsClosed: false } current)
            {
                current.Remove(_slot, socket.SafeHandle);
            }

            if (EndWait())
            {
                _received.SetException(new ObjectDisposedException(nameof(PooledSocket)));
            }

            socket.Dispose();
            ArrayPool<byte>.Shared.Return(Buffer);
        }

        public void OnReadable()
        {
            var received = Receive();
            if (received >= 0)
            {
                if (EndWait())
                {
                    _received.SetResult(received);
                }

                return; // else nobody waits for it: dropped
            }

            var error = -received;
            if (error is not (Errno.EAgain or Errno.EIntr) && EndWait())
            {
                _received.SetException(Errno.ToException(error)); // as .NET's receive reports it, ECONNREFUSED above all
            }
        }

        public void OnLoopClosed() => Close();

        public int GetResult(short token) => _received.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _received.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _received.OnCompleted(continuation, state, token, flags);

        /// <summary>On the loop's thread: ends the wait in progress, if any (true), and drops its cancellation.</summary>
        private bool EndWait()
        {
            if (Interlocked.CompareExchange(ref _waiting, 0, 1) != 1)
            {
                return false;
            }

            Loop!.Arrived();
            _cancellation.Dispose();
            return true;
        }

        /// <summary>From the token's thread: the wait in progress ends cancelled (its registration goes with the token).</summary>
        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _waiting, 0, 1) == 1)
            {
                Loop!.Arrived();
                _received.SetException(new OperationCanceledException(token));
            }
        }

        /// <summary>One datagram into the buffer without waiting: its length, or the negated errno.</summary>
        private int Receive() => Result(Recv(socket.SafeHandle, Buffer.AsSpan(0, BufferSize), BufferSize, MsgDontWait));

        /// <summary>Sends <paramref name="datagram"/> without waiting: its length, or the negated errno.</summary>
        private int Send(ReadOnlySpan<byte> datagram) => Result(SendNative(socket.SafeHandle, datagram, (nuint)datagram.Length, MsgDontWait));

        private static int Result(nint returned) => returned >= 0 ? (int)returned : -Marshal.GetLastPInvokeError();

        // The marshaller holds a reference on the handle for the call and pins the span, as the hand-written versions did.
        [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
        private static partial nint SendNative(SafeSocketHandle socket, ReadOnlySpan<byte> buffer, nuint length, int flags);

        [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
        private static partial nint Recv(SafeSocketHandle socket, Span<byte> buffer, nuint length, int flags);
    }
}
