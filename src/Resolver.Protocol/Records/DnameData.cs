using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>DNAME: redirection of a whole subtree (RFC 6672). Its target is never compressed on write.</summary>
public sealed class DnameData(DnsName target) : DomainNameData(target)
{
    public override DnsRecordType Type => DnsRecordType.DNAME;

    protected override bool Compress => false;

    internal static DnameData Read(ref DnsReader reader) => new(reader.ReadName());
}
