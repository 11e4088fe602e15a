using System.Buffers.Binary;
using Resolver.Protocol.Names;

namespace Resolver.Protocol.Wire;

/// <summary>
/// Reads big-endian fields and names from a whole DNS message (compression pointers are absolute
/// offsets, so the reader always spans the whole message). Running off the end throws
/// <see cref="DnsFormatException"/> through <see cref="ThrowHelper"/>; the message parser turns
/// that into a <see cref="DnsParseError"/> result.
/// </summary>
public ref struct DnsReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    public DnsReader(ReadOnlySpan<byte> message, int position = 0)
    {
        _message = message;
        _position = position;
    }

    public readonly ReadOnlySpan<byte> Message => _message;

    public int Position
    {
        readonly get => _position;
        set => _position = value;
    }

    public readonly int Remaining => _message.Length - _position;

    public byte ReadUInt8()
    {
        if ((uint)_position >= (uint)_message.Length)
        {
            ThrowHelper.ThrowFormat(DnsParseError.Truncated);
        }

        return _message[_position++];
    }

    public ushort ReadUInt16()
    {
        var value = BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));
        return value;
    }

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4));

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _message.Length - _position)
        {
            ThrowHelper.ThrowFormat(DnsParseError.Truncated);
        }

        var bytes = _message.Slice(_position, count);
        _position += count;
        return bytes;
    }

    /// <summary>Reads a (possibly compressed) name and moves past where it sits in the message.</summary>
    public DnsName ReadName()
    {
        Span<byte> buffer = stackalloc byte[NameWire.MaxNameLength];
        var error = NameWire.TryDecompress(_message, _position, buffer, out var length, out var next);
        if (error != DnsParseError.None)
        {
            ThrowHelper.ThrowFormat(error);
        }

        _position = next;
        NameWire.Validate(buffer[..length], out var labels);
        return DnsName.FromValidatedWire(buffer[..length], labels);
    }

    /// <summary>Reads a length-prefixed &lt;character-string&gt; (RFC 1035 §3.3).</summary>
    public ReadOnlySpan<byte> ReadCharacterString() => ReadBytes(ReadUInt8());
}
