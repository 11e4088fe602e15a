using System.Text;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>CAA: which certificate authorities may issue for a name (RFC 8659).</summary>
public sealed class CaaData : DnsRecordData
{
    private readonly byte[] _value;

    public CaaData(byte flags, string tag, ReadOnlySpan<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (tag.Length > byte.MaxValue || !tag.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("A CAA tag is 1-255 ASCII letters and digits.", nameof(tag));
        }

        Flags = flags;
        Tag = tag;
        _value = value.ToArray();
    }

    public byte Flags { get; }

    public string Tag { get; }

    public ReadOnlySpan<byte> Value => _value;

    public override DnsRecordType Type => DnsRecordType.CAA;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt8(Flags)
        && writer.TryWriteCharacterString(Encoding.ASCII.GetBytes(Tag))
        && writer.TryWriteBytes(_value);

    public override string ToString()
    {
        var builder = new StringBuilder().Append(Flags).Append(' ').Append(Tag).Append(' ');
        RecordText.AppendQuoted(builder, _value);
        return builder.ToString();
    }

    internal static CaaData Read(ref DnsReader reader, int end)
    {
        var flags = reader.ReadUInt8();
        var tag = reader.ReadCharacterString();
        if (tag.Length == 0 || !Ascii.IsValid(tag))
        {
            ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
        }

        var tagText = Encoding.ASCII.GetString(tag);
        if (!tagText.All(char.IsAsciiLetterOrDigit))
        {
            ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
        }

        return new CaaData(flags, tagText, reader.ReadBytes(end - reader.Position));
    }
}
