using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;

namespace Resolver.Core.Upstreams;

/// <summary>One query over TCP or DNS-over-TLS: 2-byte length prefix framing (RFC 1035 §4.2.2, RFC 7858).</summary>
internal static class StreamExchange
{
    public static async Task<byte[]> SendAsync(
        UpstreamServer server, UpstreamQuery query, bool tls, RemoteCertificateValidationCallback? validation, CancellationToken cancellationToken)
    {
        using var client = new TcpClient(server.EndPoint.AddressFamily) { NoDelay = true };
        await client.ConnectAsync(server.EndPoint, cancellationToken).ConfigureAwait(false);
        Stream stream = client.GetStream();
        await using (stream.ConfigureAwait(false))
        {
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                // Default validation (validation == null) checks the chain and that the certificate names TlsName.
                var options = new SslClientAuthenticationOptions { TargetHost = server.TlsName, RemoteCertificateValidationCallback = validation };
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }

            var framed = new byte[2 + query.Wire.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Wire.Length);
            query.Wire.CopyTo(framed, 2);
            await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);

            while (true)
            {
                var response = await ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false)
                    ?? throw new IOException("The upstream closed the connection before answering.");
                if (query.IsAnsweredBy(response))
                {
                    return response;
                }
            }
        }
    }

    /// <summary>Reads one length-prefixed message; null at a clean end of stream.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyOrEndAsync(stream, prefix, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyOrEndAsync(stream, message, cancellationToken).ConfigureAwait(false)
            ? message
            : throw new IOException("The connection closed in the middle of a message.");
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == buffer.Length;
    }
}
