using System.Text;
using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>One resource record: owner, class, TTL and typed data (the type comes from the data).</summary>
public sealed class DnsResourceRecord
{
    public DnsResourceRecord(DnsName name, uint ttl, DnsRecordData data, DnsClass @class = DnsClass.IN)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(data);
        Name = name;
        Ttl = ttl;
        Data = data;
        Class = @class;
    }

    public DnsName Name { get; }

    public DnsRecordType Type => Data.Type;

    public DnsClass Class { get; }

    public uint Ttl { get; }

    public DnsRecordData Data { get; }

    public bool TryWrite(ref DnsWriter writer)
    {
        if (!writer.TryWriteName(Name)
            || !writer.TryWriteUInt16((ushort)Type)
            || !writer.TryWriteUInt16((ushort)Class)
            || !writer.TryWriteUInt32(Ttl)
            || !writer.TryReserveUInt16(out var lengthOffset)
            || !Data.TryWrite(ref writer))
        {
            return false;
        }

        writer.PatchUInt16(lengthOffset, (ushort)(writer.Position - lengthOffset - 2));
        return true;
    }

    /// <summary>As dig prints a record: owner, TTL, class, type, data, tab-separated.</summary>
    public override string ToString() =>
        new StringBuilder()
            .Append(Name).Append('\t')
            .Append(Ttl).Append('\t')
            .Append(Mnemonics.ToText(Class)).Append('\t')
            .Append(Mnemonics.ToText(Type)).Append('\t')
            .Append(Data)
            .ToString();

    /// <summary>Reads the fixed fields and the RDATA after an already-read owner and type.</summary>
    internal static DnsResourceRecord Read(DnsName name, DnsRecordType type, ref DnsReader reader)
    {
        var @class = (DnsClass)reader.ReadUInt16();
        var ttl = reader.ReadUInt32();
        var length = reader.ReadUInt16();
        var end = reader.Position + length;
        if (end > reader.Message.Length)
        {
            ThrowHelper.ThrowFormat(DnsParseError.Truncated);
        }

        var data = DnsRecordData.ReadData(type, ref reader, end);
        if (reader.Position != end)
        {
            ThrowHelper.ThrowFormat(DnsParseError.RdataLengthMismatch);
        }

        return new DnsResourceRecord(name, ttl, data, @class);
    }
}
