using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One UDP query: a fresh socket on a random source port (cryptographic RNG), connected to the
/// server so the kernel drops datagrams from anyone else; replies that do not repeat the ID and
/// question are ignored (a spoofing attempt) and the wait goes on.
/// </summary>
internal static class UdpExchange
{
    private const int MaxUdpAnswer = 4096;
    private const int TruncationByte = 2;
    private const byte TruncationBit = 0x02;
    private const int PortAttempts = 8;

    public static async Task<ReadOnlyMemory<byte>> SendAsync(IPEndPoint server, UpstreamQuery query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        BindRandomPort(socket, server.AddressFamily);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query.Wire, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        // Sized for what the query advertises (EDNS 1232) with room to spare, not 64 KB: an upstream that sends
        // more than fits is treated as if it had set TC, and the question goes again over TCP. (A pooled 64 KB
        // buffer was tried: with more queries in flight than the shared pool keeps, buffers were dropped after
        // surviving a collection, and the long-lived heap, where the cache lives, grew by a quarter.)
        var buffer = new byte[MaxUdpAnswer + 1];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (query.IsAnsweredBy(buffer.AsSpan(0, received)))
            {
                if (received > MaxUdpAnswer)
                {
                    buffer[TruncationByte] |= TruncationBit; // cut by the buffer: as good as TC=1
                }

                return buffer.AsMemory(0, received);
            }
        }
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
}
