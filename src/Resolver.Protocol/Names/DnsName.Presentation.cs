using System.Diagnostics.CodeAnalysis;
using System.Text;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Names;

/// <summary>Presentation format (RFC 1035 §5.1): dots between labels, <c>\.</c> and <c>\DDD</c> escapes, trailing dot.</summary>
public sealed partial class DnsName
{
    /// <summary>Parses "www.example.com" or "www.example.com."; both are absolute. Throws <see cref="FormatException"/>.</summary>
    public static DnsName Parse(string text)
    {
        if (!TryParse(text, out var name, out var error))
        {
            throw new FormatException($"'{text}' is not a valid domain name: {Describe(error)}.");
        }

        return name;
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out DnsName? name) => TryParse(text, out name, out _);

    /// <summary>Parses presentation format; <paramref name="error"/> says why it failed.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out DnsName? name, out DnsParseError error)
    {
        name = null;
        error = DnsParseError.InvalidRdata;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == ".")
        {
            name = Root;
            error = DnsParseError.None;
            return true;
        }

        Span<byte> wire = stackalloc byte[NameWire.MaxNameLength + 1];
        var length = 0;
        var labelStart = 0;
        var labels = 0;
        var index = 0;
        while (index < text.Length)
        {
            var c = text[index++];
            if (c == '.')
            {
                if (!CloseLabel(wire, labelStart, ref length, ref labels, out error))
                {
                    return false;
                }

                labelStart = length;
                if (index == text.Length)
                {
                    break;
                }

                continue;
            }

            if (length == labelStart)
            {
                length++; // room for the length byte
            }

            int value = c;
            if (c == '\\')
            {
                if (!TryReadEscape(text, ref index, out value))
                {
                    return false;
                }
            }
            else if (c > 0x7E || c < 0x21)
            {
                return false;
            }

            if (length >= wire.Length)
            {
                error = DnsParseError.NameTooLong;
                return false;
            }

            wire[length++] = (byte)value;
        }

        if (length != labelStart && !CloseLabel(wire, labelStart, ref length, ref labels, out error))
        {
            return false;
        }

        if (length + 1 > NameWire.MaxNameLength)
        {
            error = DnsParseError.NameTooLong;
            return false;
        }

        wire[length++] = 0;
        name = FromValidatedWire(wire[..length], labels);
        error = DnsParseError.None;
        return true;
    }

    /// <summary>Presentation format with a trailing dot; special and non-printable bytes escaped as dig prints them.</summary>
    public override string ToString()
    {
        if (IsRoot)
        {
            return ".";
        }

        var builder = new StringBuilder(_wire.Length + 8);
        AppendTo(builder);
        return builder.ToString();
    }

    /// <summary>Appends the presentation form to <paramref name="builder"/>.</summary>
    public void AppendTo(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (IsRoot)
        {
            builder.Append('.');
            return;
        }

        var position = 0;
        while (_wire[position] != 0)
        {
            var labelLength = _wire[position];
            foreach (var b in _wire.AsSpan(position + 1, labelLength))
            {
                AppendEscaped(builder, b);
            }

            builder.Append('.');
            position += labelLength + 1;
        }
    }

    private static void AppendEscaped(StringBuilder builder, byte b)
    {
        switch (b)
        {
            case (byte)'.' or (byte)';' or (byte)'\\' or (byte)'(' or (byte)')' or (byte)'"' or (byte)'@' or (byte)'$':
                builder.Append('\\').Append((char)b);
                break;
            case < 0x21 or > 0x7E:
                builder.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                builder.Append((char)b);
                break;
        }
    }

    private static bool CloseLabel(Span<byte> wire, int labelStart, ref int length, ref int labels, out DnsParseError error)
    {
        var labelLength = length - labelStart - 1;
        if (labelLength <= 0)
        {
            error = DnsParseError.InvalidRdata; // empty label, as in "a..b" or ".a"
            return false;
        }

        if (labelLength > NameWire.MaxLabelLength)
        {
            error = DnsParseError.LabelTooLong;
            return false;
        }

        wire[labelStart] = (byte)labelLength;
        labels++;
        error = DnsParseError.None;
        return true;
    }

    private static bool TryReadEscape(string text, ref int index, out int value)
    {
        value = 0;
        if (index >= text.Length)
        {
            return false;
        }

        if (!char.IsAsciiDigit(text[index]))
        {
            value = text[index++];
            return value is >= 0x20 and <= 0x7E;
        }

        if (index + 3 > text.Length)
        {
            return false;
        }

        for (var i = 0; i < 3; i++)
        {
            var digit = text[index++];
            if (!char.IsAsciiDigit(digit))
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return value <= 255;
    }

    private static string Describe(DnsParseError error) => error switch
    {
        DnsParseError.LabelTooLong => "a label is longer than 63 bytes",
        DnsParseError.NameTooLong => "the name is longer than 255 bytes",
        _ => "empty label, bad escape or unprintable character",
    };
}
