using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>AAAA: one IPv6 address (RFC 3596).</summary>
public sealed class AaaaData(IPAddress address) : AddressData(address, AddressFamily.InterNetworkV6)
{
    public override DnsRecordType Type => DnsRecordType.AAAA;

    internal static AaaaData Read(ref DnsReader reader) => new(new IPAddress(reader.ReadBytes(16)));
}
