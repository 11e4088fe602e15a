using System.Buffers.Binary;
using System.Text;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>Extended DNS Error (RFC 8914): an info code and optional UTF-8 text, e.g. 3 "Stale Answer".</summary>
public sealed class ExtendedErrorOption : EdnsOption
{
    public ExtendedErrorOption(ExtendedErrorCode infoCode, string extraText = "")
    {
        ArgumentNullException.ThrowIfNull(extraText);
        InfoCode = infoCode;
        ExtraText = extraText;
    }

    public ExtendedErrorCode InfoCode { get; }

    public string ExtraText { get; }

    public override ushort Code => (ushort)EdnsOptionCode.ExtendedError;

    public override bool TryWriteData(ref DnsWriter writer) =>
        writer.TryWriteUInt16((ushort)InfoCode) && writer.TryWriteBytes(Encoding.UTF8.GetBytes(ExtraText));

    public override string ToString()
    {
        var name = Enum.IsDefined(InfoCode) ? $" ({InfoCode})" : string.Empty;
        var text = ExtraText.Length > 0 ? $": ({ExtraText})" : string.Empty;
        return $"EDE: {(ushort)InfoCode}{name}{text}";
    }

    internal static ExtendedErrorOption Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
        }

        var text = Encoding.UTF8.GetString(data[2..]).TrimEnd('\0');
        return new ExtendedErrorOption((ExtendedErrorCode)BinaryPrimitives.ReadUInt16BigEndian(data), text);
    }
}

/// <summary>RFC 8914 §4 info codes (the ones a resolver sends).</summary>
public enum ExtendedErrorCode : ushort
{
    Other = 0,
    StaleAnswer = 3,
    ForgedAnswer = 4,
    Blocked = 15,
    Censored = 16,
    Filtered = 17,
    Prohibited = 18,
    StaleNXDomainAnswer = 19,
    NotReady = 14,
    NoReachableAuthority = 22,
    NetworkError = 23,
}
