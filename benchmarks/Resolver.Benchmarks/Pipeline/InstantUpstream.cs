using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Resolver.Benchmarks.Pipeline;

/// <summary>
/// An upstream on 127.0.0.1 that answers every UDP query at once with one A record (192.0.2.1, TTL 3600),
/// from a thread of its own, allocating nothing per query, so a benchmark measures the resolver's side of a miss.
/// </summary>
internal sealed class InstantUpstream : IDisposable
{
    private const int HeaderLength = 12;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public InstantUpstream()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 200; // to notice Dispose
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "instant upstream" };
        _thread.Start();
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }

    /// <summary>Writes the answer to the query in <paramref name="message"/> in place: header, question, one A record; EDNS dropped.</summary>
    private static int Answer(Span<byte> message, int length)
    {
        var end = HeaderLength;
        while (end < length && message[end] != 0)
        {
            end += message[end] + 1;
        }

        end += 1 + 4; // the root label, type and class
        if (end > length)
        {
            return 0;
        }

        message[2] = (byte)(message[2] | 0x84); // QR, AA (RD kept)
        message[3] = 0x80; // RA, NOERROR
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], 1); // ANCOUNT
        BinaryPrimitives.WriteUInt16BigEndian(message[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[10..], 0);
        ReadOnlySpan<byte> record = [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 192, 0, 2, 1];
        record.CopyTo(message[end..]);
        return end + record.Length;
    }

    private void Run()
    {
        var buffer = new byte[1500];
        var sender = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stopping)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            var length = Answer(buffer, received);
            if (length > 0)
            {
                _socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, sender);
            }
        }
    }
}
