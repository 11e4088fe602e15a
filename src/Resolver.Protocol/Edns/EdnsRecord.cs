using System.Text;
using Resolver.Protocol.Records;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>
/// The OPT pseudo-record (RFC 6891 §6.1): CLASS carries the UDP payload size and TTL carries the
/// upper RCODE bits, the version and the DO flag. Kept apart from the additional records.
/// </summary>
public sealed class EdnsRecord
{
    /// <summary>What this resolver advertises: fits every path without fragmentation (DNS flag day 2020).</summary>
    public const ushort DefaultPayloadSize = 1232;

    private const ushort DnssecOkBit = 0x8000;

    public ushort UdpPayloadSize { get; set; } = DefaultPayloadSize;

    /// <summary>The upper 8 bits of the 12-bit extended RCODE.</summary>
    public byte ExtendedRcode { get; set; }

    public byte Version { get; set; }

    /// <summary>The 16 flag bits; only DO (0x8000) is defined.</summary>
    public ushort Flags { get; set; }

    public bool DnssecOk
    {
        get => (Flags & DnssecOkBit) != 0;
        set => Flags = value ? (ushort)(Flags | DnssecOkBit) : (ushort)(Flags & ~DnssecOkBit);
    }

    public List<EdnsOption> Options { get; } = [];

    public T? GetOption<T>()
        where T : EdnsOption => Options.OfType<T>().FirstOrDefault();

    /// <summary>Writes the whole OPT record: root owner, TYPE 41, then the packed fields.</summary>
    public bool TryWrite(ref DnsWriter writer)
    {
        if (!writer.TryWriteUInt8(0)
            || !writer.TryWriteUInt16((ushort)DnsRecordType.OPT)
            || !writer.TryWriteUInt16(UdpPayloadSize)
            || !writer.TryWriteUInt8(ExtendedRcode)
            || !writer.TryWriteUInt8(Version)
            || !writer.TryWriteUInt16(Flags)
            || !writer.TryReserveUInt16(out var lengthOffset))
        {
            return false;
        }

        foreach (var option in Options)
        {
            if (!writer.TryWriteUInt16(option.Code) || !writer.TryReserveUInt16(out var optionLengthOffset))
            {
                return false;
            }

            var start = writer.Position;
            if (!option.TryWriteData(ref writer))
            {
                return false;
            }

            writer.PatchUInt16(optionLengthOffset, (ushort)(writer.Position - start));
        }

        writer.PatchUInt16(lengthOffset, (ushort)(writer.Position - lengthOffset - 2));
        return true;
    }

    /// <summary>The OPT pseudosection as dig prints it.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder()
            .Append("; EDNS: version: ").Append(Version)
            .Append(", flags:").Append(DnssecOk ? " do" : string.Empty)
            .Append("; udp: ").Append(UdpPayloadSize);
        foreach (var option in Options)
        {
            builder.Append('\n').Append("; ").Append(option);
        }

        return builder.ToString();
    }

    /// <summary>Reads the fields after the owner name and TYPE; the reader sits on CLASS.</summary>
    internal static EdnsRecord Read(ref DnsReader reader)
    {
        var record = new EdnsRecord
        {
            UdpPayloadSize = reader.ReadUInt16(),
            ExtendedRcode = reader.ReadUInt8(),
            Version = reader.ReadUInt8(),
            Flags = reader.ReadUInt16(),
        };
        var length = reader.ReadUInt16();
        var end = reader.Position + length;
        if (end > reader.Message.Length)
        {
            ThrowHelper.ThrowFormat(DnsParseError.Truncated);
        }

        while (reader.Position < end)
        {
            var code = reader.ReadUInt16();
            var optionLength = reader.ReadUInt16();
            if (reader.Position + optionLength > end)
            {
                ThrowHelper.ThrowFormat(DnsParseError.RdataLengthMismatch);
            }

            record.Options.Add(EdnsOption.Read(code, reader.ReadBytes(optionLength)));
        }

        return record;
    }
}
