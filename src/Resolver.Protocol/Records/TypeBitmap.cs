using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>The windowed type bitmap of NSEC and NSEC3 (RFC 4034 §4.1.2).</summary>
public sealed class TypeBitmap
{
    private readonly DnsRecordType[] _types;

    public TypeBitmap(IEnumerable<DnsRecordType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = [.. types.Distinct().Order()];
    }

    public IReadOnlyList<DnsRecordType> Types => _types;

    public bool TryWrite(ref DnsWriter writer)
    {
        Span<byte> window = stackalloc byte[32];
        var index = 0;
        while (index < _types.Length)
        {
            var windowNumber = (int)_types[index] >> 8;
            window.Clear();
            var used = 0;
            for (; index < _types.Length && (int)_types[index] >> 8 == windowNumber; index++)
            {
                var low = (int)_types[index] & 0xFF;
                window[low >> 3] |= (byte)(0x80 >> (low & 7));
                used = (low >> 3) + 1;
            }

            if (!writer.TryWriteUInt8((byte)windowNumber) || !writer.TryWriteUInt8((byte)used) || !writer.TryWriteBytes(window[..used]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Join(' ', _types.Select(Mnemonics.ToText));

    /// <summary>Reads windows up to <paramref name="end"/>; windows must ascend and hold 1-32 bytes.</summary>
    internal static TypeBitmap Read(ref DnsReader reader, int end)
    {
        var types = new List<DnsRecordType>();
        var previousWindow = -1;
        while (reader.Position < end)
        {
            var windowNumber = reader.ReadUInt8();
            var length = reader.ReadUInt8();
            if (windowNumber <= previousWindow || length is 0 or > 32)
            {
                ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
            }

            previousWindow = windowNumber;
            var bits = reader.ReadBytes(length);
            for (var i = 0; i < bits.Length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((bits[i] & (0x80 >> bit)) != 0)
                    {
                        types.Add((DnsRecordType)((windowNumber << 8) | (i << 3) | bit));
                    }
                }
            }
        }

        return new TypeBitmap(types);
    }
}
