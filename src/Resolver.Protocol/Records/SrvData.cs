using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>SRV: where a service lives (RFC 2782). The target is never compressed on write.</summary>
public sealed class SrvData : DnsRecordData
{
    public SrvData(ushort priority, ushort weight, ushort port, DnsName target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Priority = priority;
        Weight = weight;
        Port = port;
        Target = target;
    }

    public ushort Priority { get; }

    public ushort Weight { get; }

    public ushort Port { get; }

    public DnsName Target { get; }

    public override DnsRecordType Type => DnsRecordType.SRV;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt16(Priority)
        && writer.TryWriteUInt16(Weight)
        && writer.TryWriteUInt16(Port)
        && writer.TryWriteName(Target, compress: false);

    public override string ToString() => $"{Priority} {Weight} {Port} {Target}";

    internal static SrvData Read(ref DnsReader reader) =>
        new(reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadName());
}
