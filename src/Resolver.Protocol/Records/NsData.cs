using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>NS: an authoritative name server (RFC 1035 §3.3.11).</summary>
public sealed class NsData(DnsName target) : DomainNameData(target)
{
    public override DnsRecordType Type => DnsRecordType.NS;

    internal static NsData Read(ref DnsReader reader) => new(reader.ReadName());
}
