using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>
/// The RDATA of one record. Each type reads and writes itself and prints itself the way dig does;
/// types this codec does not decode stay raw bytes (<see cref="UnknownData"/>, RFC 3597).
/// </summary>
public abstract class DnsRecordData
{
    public abstract DnsRecordType Type { get; }

    /// <summary>Writes the RDATA only (no RDLENGTH); false when the buffer is full.</summary>
    public abstract bool TryWrite(ref DnsWriter writer);

    /// <summary>The RDATA in presentation format.</summary>
    public abstract override string ToString();

    /// <summary>Reads RDATA that ends at <paramref name="end"/>; the caller checks that exactly that much was consumed.</summary>
    internal static DnsRecordData ReadData(DnsRecordType type, ref DnsReader reader, int end) => type switch
    {
        DnsRecordType.A => AData.Read(ref reader),
        DnsRecordType.AAAA => AaaaData.Read(ref reader),
        DnsRecordType.NS => NsData.Read(ref reader),
        DnsRecordType.CNAME => CnameData.Read(ref reader),
        DnsRecordType.DNAME => DnameData.Read(ref reader),
        DnsRecordType.PTR => PtrData.Read(ref reader),
        DnsRecordType.SOA => SoaData.Read(ref reader),
        DnsRecordType.MX => MxData.Read(ref reader),
        DnsRecordType.TXT => TxtData.Read(ref reader, end),
        DnsRecordType.SRV => SrvData.Read(ref reader),
        DnsRecordType.CAA => CaaData.Read(ref reader, end),
        DnsRecordType.SVCB or DnsRecordType.HTTPS => SvcbData.Read(type, ref reader, end),
        DnsRecordType.DS => DsData.Read(ref reader, end),
        DnsRecordType.DNSKEY => DnskeyData.Read(ref reader, end),
        DnsRecordType.RRSIG => RrsigData.Read(ref reader, end),
        DnsRecordType.NSEC => NsecData.Read(ref reader, end),
        DnsRecordType.NSEC3 => Nsec3Data.Read(ref reader, end),
        _ => new UnknownData(type, reader.ReadBytes(end - reader.Position)),
    };
}
