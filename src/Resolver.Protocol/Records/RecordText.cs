using System.Globalization;
using System.Text;

namespace Resolver.Protocol.Records;

/// <summary>Presentation-format pieces shared by several record types.</summary>
internal static class RecordText
{
    private const string Base32HexAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A &lt;character-string&gt; in quotes; <c>"</c> and <c>\</c> escaped, non-printables as \DDD.</summary>
    public static void AppendQuoted(StringBuilder builder, ReadOnlySpan<byte> value)
    {
        builder.Append('"');
        foreach (var b in value)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is < 0x20 or > 0x7E)
            {
                builder.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }

        builder.Append('"');
    }

    public static string Hex(ReadOnlySpan<byte> value) => Convert.ToHexString(value);

    /// <summary>RFC 4648 base32hex without padding, as NSEC3 prints hashed owner names.</summary>
    public static string Base32Hex(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder((value.Length * 8 / 5) + 1);
        var buffer = 0;
        var bits = 0;
        foreach (var b in value)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(Base32HexAlphabet[(buffer >> (bits - 5)) & 0x1F]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            builder.Append(Base32HexAlphabet[(buffer << (5 - bits)) & 0x1F]);
        }

        return builder.ToString();
    }

    /// <summary>RRSIG times as YYYYMMDDHHmmSS (RFC 4034 §3.2).</summary>
    public static string Timestamp(uint secondsSinceEpoch) =>
        DateTimeOffset.FromUnixTimeSeconds(secondsSinceEpoch).UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}
