using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>AAAA: one IPv6 address (RFC 3596).</summary>
public sealed class AaaaData : DnsRecordData
{
    public AaaaData(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("An AAAA record holds an IPv6 address.", nameof(address));
        }

        Address = address;
    }

    public IPAddress Address { get; }

    public override DnsRecordType Type => DnsRecordType.AAAA;

    public override bool TryWrite(ref DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out _);
        return writer.TryWriteBytes(bytes);
    }

    public override string ToString() => Address.ToString();

    internal static AaaaData Read(ref DnsReader reader) => new(new IPAddress(reader.ReadBytes(16)));
}
