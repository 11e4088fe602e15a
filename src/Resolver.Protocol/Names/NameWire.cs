using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Names;

/// <summary>
/// Span-level routines over names in wire form. They never throw and never allocate: malformed
/// input is a <see cref="DnsParseError"/>. Shared by the reader, the hot-path scanner and the writer.
/// </summary>
public static class NameWire
{
    /// <summary>Longest name in wire form, terminal zero included (RFC 1035 §3.1).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Second line of defence against pointer chains, after the strictly-backward rule.</summary>
    private const int MaxPointerHops = 127;

    private const byte PointerMask = 0xC0;

    /// <summary>
    /// Reads the (possibly compressed) name at <paramref name="offset"/> into <paramref name="destination"/>
    /// as uncompressed wire bytes in their original case. <paramref name="next"/> is the offset after the
    /// name where it sits in the message. Each compression pointer must point strictly before the
    /// previous jump target (initially the start of the name), which rules out forward pointers and loops.
    /// </summary>
    public static DnsParseError TryDecompress(
        ReadOnlySpan<byte> message, int offset, Span<byte> destination, out int length, out int next)
    {
        length = 0;
        next = -1;
        var position = offset;
        var limit = offset;
        var hops = 0;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
            {
                return DnsParseError.Truncated;
            }

            var labelLength = message[position];
            switch (labelLength & PointerMask)
            {
                case 0x00:
                    if (length + 1 + labelLength > MaxNameLength || length + 1 + labelLength > destination.Length)
                    {
                        return DnsParseError.NameTooLong;
                    }

                    if (labelLength == 0)
                    {
                        destination[length++] = 0;
                        if (next < 0)
                        {
                            next = position + 1;
                        }

                        return DnsParseError.None;
                    }

                    if (position + 1 + labelLength > message.Length)
                    {
                        return DnsParseError.Truncated;
                    }

                    message.Slice(position, 1 + labelLength).CopyTo(destination[length..]);
                    length += 1 + labelLength;
                    position += 1 + labelLength;
                    break;

                case PointerMask:
                    if (position + 1 >= message.Length)
                    {
                        return DnsParseError.Truncated;
                    }

                    var target = ((labelLength & 0x3F) << 8) | message[position + 1];
                    if (next < 0)
                    {
                        next = position + 2;
                    }

                    if (target >= limit || ++hops > MaxPointerHops)
                    {
                        return DnsParseError.InvalidPointer;
                    }

                    limit = target;
                    position = target;
                    break;

                default:
                    return DnsParseError.ReservedLabelType;
            }
        }
    }

    /// <summary>Validates the name at <paramref name="offset"/> and returns where it ends, without copying it out.</summary>
    public static DnsParseError TrySkip(ReadOnlySpan<byte> message, int offset, out int next)
    {
        Span<byte> scratch = stackalloc byte[MaxNameLength];
        return TryDecompress(message, offset, scratch, out _, out next);
    }

    /// <summary>Checks that <paramref name="wire"/> is exactly one uncompressed name and counts its labels.</summary>
    public static DnsParseError Validate(ReadOnlySpan<byte> wire, out int labelCount)
    {
        labelCount = 0;
        if (wire.Length > MaxNameLength)
        {
            return DnsParseError.NameTooLong;
        }

        var position = 0;
        while (position < wire.Length)
        {
            var labelLength = wire[position];
            if (labelLength == 0)
            {
                return position == wire.Length - 1 ? DnsParseError.None : DnsParseError.InvalidRdata;
            }

            if ((labelLength & PointerMask) != 0)
            {
                return (labelLength & PointerMask) == PointerMask ? DnsParseError.InvalidPointer : DnsParseError.ReservedLabelType;
            }

            position += 1 + labelLength;
            labelCount++;
        }

        return DnsParseError.Truncated;
    }

    /// <summary>The labels of an uncompressed wire name that is known to be valid (0 for the root).</summary>
    public static int CountLabels(ReadOnlySpan<byte> wire)
    {
        var count = 0;
        for (var position = 0; wire[position] != 0; position += wire[position] + 1)
        {
            count++;
        }

        return count;
    }

    /// <summary>ASCII-only lower-casing, as DNS defines case-insensitivity (RFC 4343). Length bytes (≤ 63) are unaffected.</summary>
    public static byte ToLower(byte value) => (uint)(value - 'A') <= 'Z' - 'A' ? (byte)(value | 0x20) : value;

    /// <summary>Copies <paramref name="source"/> lower-cased into <paramref name="destination"/>.</summary>
    public static void CopyLowercase(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = ToLower(source[i]);
        }
    }

    /// <summary>Case-insensitive comparison of two uncompressed wire names.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i] && ToLower(left[i]) != ToLower(right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether the uncompressed <paramref name="name"/> equals <paramref name="ancestor"/> or lies below it,
    /// ignoring case and matching whole labels only ("badexample.com." is not below "example.com.").
    /// </summary>
    public static bool IsAtOrBelow(ReadOnlySpan<byte> name, ReadOnlySpan<byte> ancestor)
    {
        for (var position = 0; position < name.Length; position += name[position] + 1)
        {
            var rest = name.Length - position;
            if (rest == ancestor.Length)
            {
                return EqualsIgnoreCase(name[position..], ancestor);
            }

            if (rest < ancestor.Length || name[position] == 0)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>A case-insensitive hash, seeded per process (through <see cref="HashCode"/>) so cache keys resist flooding.</summary>
    public static int GetHashCodeIgnoreCase(ReadOnlySpan<byte> wire)
    {
        Span<byte> lower = stackalloc byte[MaxNameLength];
        var length = Math.Min(wire.Length, MaxNameLength);
        CopyLowercase(wire[..length], lower);
        var hash = default(HashCode);
        hash.AddBytes(lower[..length]);
        return hash.ToHashCode();
    }

    /// <summary>
    /// Whether the name written at <paramref name="offset"/> of <paramref name="message"/> (following pointers)
    /// equals the uncompressed <paramref name="wire"/> name, ignoring case. Used by the writer's compression
    /// and to check that a response repeats the question.
    /// </summary>
    public static bool MatchesAt(ReadOnlySpan<byte> message, int offset, ReadOnlySpan<byte> wire, bool ignoreCase = true)
    {
        var position = offset;
        var limit = offset;
        var index = 0;
        var hops = 0;
        while (true)
        {
            if ((uint)position >= (uint)message.Length || index >= wire.Length)
            {
                return false;
            }

            var labelLength = message[position];
            if ((labelLength & PointerMask) == PointerMask)
            {
                if (position + 1 >= message.Length)
                {
                    return false;
                }

                var target = ((labelLength & 0x3F) << 8) | message[position + 1];
                if (target >= limit || ++hops > MaxPointerHops)
                {
                    return false;
                }

                limit = target;
                position = target;
                continue;
            }

            if ((labelLength & PointerMask) != 0 || labelLength != wire[index])
            {
                return false;
            }

            if (labelLength == 0)
            {
                return true;
            }

            if (position + 1 + labelLength > message.Length || index + 1 + labelLength > wire.Length)
            {
                return false;
            }

            var candidate = message.Slice(position + 1, labelLength);
            var expected = wire.Slice(index + 1, labelLength);
            if (ignoreCase ? !EqualsIgnoreCase(candidate, expected) : !candidate.SequenceEqual(expected))
            {
                return false;
            }

            position += 1 + labelLength;
            index += 1 + labelLength;
        }
    }
}
