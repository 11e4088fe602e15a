using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>CNAME: the canonical name of an alias (RFC 1035 §3.3.1).</summary>
public sealed class CnameData(DnsName target) : DomainNameData(target)
{
    public override DnsRecordType Type => DnsRecordType.CNAME;

    internal static CnameData Read(ref DnsReader reader) => new(reader.ReadName());
}
