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
    private const int MaxDatagram = 65535;
    private const int PortAttempts = 8;

    public static async Task<byte[]> SendAsync(IPEndPoint server, UpstreamQuery query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        BindRandomPort(socket, server.AddressFamily);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query.Wire, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        var buffer = new byte[MaxDatagram];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (query.IsAnsweredBy(buffer.AsSpan(0, received)))
            {
                return buffer[..received];
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
