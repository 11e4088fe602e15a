using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>PTR: a pointer to another name, used for reverse lookups (RFC 1035 §3.3.12).</summary>
public sealed class PtrData(DnsName target) : DomainNameData(target)
{
    public override DnsRecordType Type => DnsRecordType.PTR;

    internal static PtrData Read(ref DnsReader reader) => new(reader.ReadName());
}
