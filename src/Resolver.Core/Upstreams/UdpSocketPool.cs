using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Resolver.Core.Upstreams;

/// <summary>
/// UDP queries to one upstream over sockets on random source ports (cryptographic RNG), each connected to the
/// server so the kernel drops datagrams from anyone else. A socket carries one query at a time and, once that
/// query is answered, goes back to the pool for the next, for at most <see cref="ReuseWindow"/> after it was
/// opened (as Unbound's outgoing-range reuses ports): each query still has its own random ID and name case,
/// and no port lives long enough to be learnt and aimed at. A socket whose query failed or was cancelled may
/// still get that answer late, so it is closed instead. Replies that do not repeat the ID and question are
/// ignored (a spoofing attempt, or a late answer to an earlier query) and the wait goes on.
/// </summary>
/// <remarks>
/// A socket per query cost five system calls (socket, bind, connect, the epoll registration, close) and a
/// socket object graph on every miss; reuse leaves the send and the receive.
/// </remarks>
internal sealed class UdpSocketPool : IDisposable
{
    public static readonly TimeSpan ReuseWindow = TimeSpan.FromSeconds(1);
    public const int MaxIdle = 256;
    private const int BufferSize = 4096; // EDNS 1232 with room to spare, not 64 KB; rented, so a short-lived socket leaves no garbage
    private const int TruncationByte = 2;
    private const byte TruncationBit = 0x02;
    private const int PortAttempts = 8;

    private readonly IPEndPoint _server;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<PooledSocket> _idle = new();
    private int _idleCount;
    private int _opened;
    private bool _disposed;

    public UdpSocketPool(IPEndPoint server, TimeProvider time)
    {
        _server = server;
        _time = time;
    }

    /// <summary>Sockets opened so far (for tests: a new source port each).</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>
    /// Sends <paramref name="query"/> and returns the first datagram that answers it (a copy, the socket's
    /// buffer being reused). A datagram that fills the buffer may have been cut: it is marked TC, so it is asked
    /// again over TCP.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> ExchangeAsync(UpstreamQuery query, CancellationToken cancellationToken)
    {
        var lease = Take();
        var answered = false;
        try
        {
            await lease.Socket.SendAsync(query.Wire, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = lease.Buffer;
            while (true)
            {
                var received = await lease.Socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (query.IsAnsweredBy(buffer.AsSpan(0, received)))
                {
                    answered = true;
                    var answer = buffer.AsSpan(0, received).ToArray();
                    if (received == BufferSize)
                    {
                        answer[TruncationByte] |= TruncationBit; // cut by the buffer: as good as TC=1
                    }

                    return answer;
                }
            }
        }
        finally
        {
            if (answered)
            {
                Return(lease);
            }
            else
            {
                Close(lease);
            }
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryDequeue(out var lease))
        {
            Close(lease);
        }
    }

    /// <summary>The oldest idle socket still within its window (older ones are closed on the way), else a new one.</summary>
    private PooledSocket Take()
    {
        while (_idle.TryDequeue(out var lease))
        {
            Interlocked.Decrement(ref _idleCount);
            if (_time.GetElapsedTime(lease.Opened) < ReuseWindow)
            {
                return lease;
            }

            Close(lease);
        }

        return Open();
    }

    private void Return(PooledSocket lease)
    {
        if (Volatile.Read(ref _disposed) || _time.GetElapsedTime(lease.Opened) >= ReuseWindow)
        {
            Close(lease);
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            Close(lease);
            return;
        }

        _idle.Enqueue(lease);
        if (Volatile.Read(ref _disposed))
        {
            Dispose(); // disposed meanwhile: nothing may stay open
        }
    }

    private static void Close(PooledSocket lease)
    {
        lease.Socket.Dispose();
        ArrayPool<byte>.Shared.Return(lease.Buffer);
    }

    private PooledSocket Open()
    {
        var socket = new Socket(_server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            BindRandomPort(socket, _server.AddressFamily);
            socket.Connect(_server); // a UDP connect only sets the peer: no packet, no wait
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Interlocked.Increment(ref _opened);
        return new PooledSocket(socket, ArrayPool<byte>.Shared.Rent(BufferSize), _time.GetTimestamp());
    }

    private static void BindRandomPort(Socket socket, AddressFamily family)
    {
        var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        for (var i = 0; i < PortAttempts; i++)
        {
            try
            {
                socket.Bind(new IPEndPoint(any, RandomNumberGenerator.GetInt32(1024, 65536)));
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                // taken; draw again
            }
        }

        socket.Bind(new IPEndPoint(any, 0)); // the kernel's own randomized ephemeral port
    }

    /// <summary>A socket with its receive buffer and when it was opened.</summary>
    private sealed record PooledSocket(Socket Socket, byte[] Buffer, long Opened);
}
