using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>NSEC: the next owner name in the zone and the types at this one (RFC 4034 §4).</summary>
public sealed class NsecData : DnsRecordData
{
    public NsecData(DnsName nextName, TypeBitmap types)
    {
        ArgumentNullException.ThrowIfNull(nextName);
        ArgumentNullException.ThrowIfNull(types);
        NextName = nextName;
        Types = types;
    }

    public DnsName NextName { get; }

    public TypeBitmap Types { get; }

    public override DnsRecordType Type => DnsRecordType.NSEC;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteName(NextName, compress: false) && Types.TryWrite(ref writer);

    public override string ToString() => $"{NextName} {Types}";

    internal static NsecData Read(ref DnsReader reader, int end) =>
        new(reader.ReadName(), TypeBitmap.Read(ref reader, end));
}
