using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>RDATA that is a single domain name: the shared shape of NS, CNAME, PTR and DNAME.</summary>
public abstract class DomainNameData : DnsRecordData
{
    protected DomainNameData(DnsName target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    public DnsName Target { get; }

    /// <summary>Whether the name may be compressed on write (RFC 1035 types only, RFC 3597 §4).</summary>
    protected virtual bool Compress => true;

    public override bool TryWrite(ref DnsWriter writer) => writer.TryWriteName(Target, Compress);

    public override string ToString() => Target.ToString();
}
