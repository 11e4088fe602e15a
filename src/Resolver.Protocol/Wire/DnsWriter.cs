using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Resolver.Protocol.Names;

namespace Resolver.Protocol.Wire;

/// <summary>
/// Writes a DNS message into a caller's buffer. Every <c>TryWrite…</c> returns false when the buffer
/// is full (the caller then truncates and sets TC). Names are compressed against the suffixes already
/// written, found through a small fixed table of label offsets: no dictionary, no allocation.
/// </summary>
public ref struct DnsWriter
{
    private const int MaxPointerOffset = 0x3FFF;

    private readonly Span<byte> _buffer;
    private int _position;
    private CompressionTable _table;
    private int _tableCount;

    public DnsWriter(Span<byte> buffer)
    {
        _buffer = buffer;
    }

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public bool TryWriteUInt8(byte value)
    {
        if (_position >= _buffer.Length)
        {
            return false;
        }

        _buffer[_position++] = value;
        return true;
    }

    public bool TryWriteUInt16(ushort value)
    {
        if (!BinaryPrimitives.TryWriteUInt16BigEndian(_buffer[_position..], value))
        {
            return false;
        }

        _position += 2;
        return true;
    }

    public bool TryWriteUInt32(uint value)
    {
        if (!BinaryPrimitives.TryWriteUInt32BigEndian(_buffer[_position..], value))
        {
            return false;
        }

        _position += 4;
        return true;
    }

    public bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (!bytes.TryCopyTo(_buffer[_position..]))
        {
            return false;
        }

        _position += bytes.Length;
        return true;
    }

    /// <summary>Writes a &lt;character-string&gt;: one length byte, then at most 255 bytes.</summary>
    public bool TryWriteCharacterString(scoped ReadOnlySpan<byte> value)
    {
        if (value.Length > byte.MaxValue)
        {
            throw new ArgumentException("A character-string holds at most 255 bytes.", nameof(value));
        }

        return _position + 1 + value.Length <= _buffer.Length
            && TryWriteUInt8((byte)value.Length)
            && TryWriteBytes(value);
    }

    /// <summary>Reserves a 16-bit field (an RDLENGTH) to fill in later with <see cref="PatchUInt16"/>.</summary>
    public bool TryReserveUInt16(out int offset)
    {
        offset = _position;
        return TryWriteUInt16(0);
    }

    public readonly void PatchUInt16(int offset, ushort value) =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[offset..], value);

    public bool TryWriteName(DnsName name, bool compress = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryWriteName(name.Wire, compress);
    }

    /// <summary>
    /// Writes an uncompressed wire name. With <paramref name="compress"/>, the longest suffix already in
    /// the buffer becomes a pointer and the labels written here become candidates for later names.
    /// Only RFC 1035 types may compress names in RDATA (RFC 3597 §4); owner names always may.
    /// </summary>
    public bool TryWriteName(scoped ReadOnlySpan<byte> wire, bool compress = true)
    {
        var start = _position;
        var suffix = 0;
        while (compress && wire[suffix] != 0)
        {
            if (TryFindSuffix(wire[suffix..], out var pointer))
            {
                if (!TryWriteBytes(wire[..suffix]) || !TryWriteUInt16((ushort)(0xC000 | pointer)))
                {
                    _position = start;
                    return false;
                }

                Remember(start, wire[..suffix]);
                return true;
            }

            suffix += wire[suffix] + 1;
        }

        if (!TryWriteBytes(wire))
        {
            return false;
        }

        if (compress)
        {
            Remember(start, wire[..^1]);
        }

        return true;
    }

    private readonly bool TryFindSuffix(scoped ReadOnlySpan<byte> suffix, out int pointer)
    {
        var written = _buffer[.._position];
        for (var i = 0; i < _tableCount; i++)
        {
            if (NameWire.MatchesAt(written, _table[i], suffix))
            {
                pointer = _table[i];
                return true;
            }
        }

        pointer = 0;
        return false;
    }

    /// <summary>Records the offset of each label of <paramref name="labels"/>, written raw at <paramref name="start"/>.</summary>
    private void Remember(int start, scoped ReadOnlySpan<byte> labels)
    {
        var position = 0;
        while (position < labels.Length && _tableCount < CompressionTable.Capacity && start + position <= MaxPointerOffset)
        {
            _table[_tableCount++] = (ushort)(start + position);
            position += labels[position] + 1;
        }
    }

    [InlineArray(Capacity)]
    private struct CompressionTable
    {
        public const int Capacity = 64;
        private ushort _element;
    }
}
