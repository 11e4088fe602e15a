using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>RDATA that is one IP address: the shared shape of A (4 bytes) and AAAA (16 bytes).</summary>
public abstract class AddressData : DnsRecordData
{
    protected AddressData(IPAddress address, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"{GetType().Name} holds an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.", nameof(address));
        }

        Address = address;
    }

    public IPAddress Address { get; }

    public override bool TryWrite(ref DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[16];
        Address.TryWriteBytes(bytes, out var written);
        return writer.TryWriteBytes(bytes[..written]);
    }

    public override string ToString() => Address.ToString();
}
