using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>MX: a mail exchanger and its preference (RFC 1035 §3.3.9).</summary>
public sealed class MxData : DnsRecordData
{
    public MxData(ushort preference, DnsName exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        Preference = preference;
        Exchange = exchange;
    }

    public ushort Preference { get; }

    public DnsName Exchange { get; }

    public override DnsRecordType Type => DnsRecordType.MX;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt16(Preference) && writer.TryWriteName(Exchange);

    public override string ToString() => $"{Preference} {Exchange}";

    internal static MxData Read(ref DnsReader reader) => new(reader.ReadUInt16(), reader.ReadName());
}
