using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>A: one IPv4 address (RFC 1035 §3.4.1).</summary>
public sealed class AData(IPAddress address) : AddressData(address, AddressFamily.InterNetwork)
{
    public override DnsRecordType Type => DnsRecordType.A;

    internal static AData Read(ref DnsReader reader) => new(new IPAddress(reader.ReadBytes(4)));
}
