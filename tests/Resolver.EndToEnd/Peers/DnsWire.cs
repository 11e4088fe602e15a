using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Net.Sockets;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.EndToEnd.Peers;

/// <summary>Queries and TCP frames built by hand, for tests that need more control over the sockets than dig gives.</summary>
internal static class DnsWire
{
    public static byte[] Query(string name, DnsRecordType type, ushort id = 7)
    {
        var message = new DnsMessage { Id = id, RecursionDesired = true };
        message.Questions.Add(new DnsQuestion(DnsName.Parse(name), type));
        var buffer = new byte[512];
        message.TryWrite(buffer, out var written);
        return buffer[..written];
    }

    /// <summary>The message behind its two-byte length prefix (RFC 1035 §4.2.2).</summary>
    public static byte[] Frame(byte[] message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        return frame;
    }

    public static async Task<DnsMessage> ReadFrameAsync(NetworkStream stream)
    {
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return DnsMessage.Parse(message);
    }

    /// <summary>One query over UDP from a socket of its own, a random ID; the answer, or null when none came within <paramref name="timeout"/>.</summary>
    public static async Task<DnsMessage?> AskUdpAsync(int port, string name, DnsRecordType type, TimeSpan timeout)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(Query(name, type, id));
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, deadline.Token);
                if (DnsMessage.TryParse(buffer.AsSpan(0, received), out var response, out _) && response.Id == id)
                {
                    return response;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
