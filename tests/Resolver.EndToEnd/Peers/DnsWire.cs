using System.Buffers.Binary;
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
}
