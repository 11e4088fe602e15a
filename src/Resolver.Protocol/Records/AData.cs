using System.Net;
using System.Net.Sockets;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>A: one IPv4 address (RFC 1035 §3.4.1).</summary>
public sealed class AData : DnsRecordData
{
    public AData(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("An A record holds an IPv4 address.", nameof(address));
        }

        Address = address;
    }

    public IPAddress Address { get; }

    public override DnsRecordType Type => DnsRecordType.A;

    public override bool TryWrite(ref DnsWriter writer)
    {
        Span<byte> bytes = stackalloc byte[4];
        Address.TryWriteBytes(bytes, out _);
        return writer.TryWriteBytes(bytes);
    }

    public override string ToString() => Address.ToString();

    internal static AData Read(ref DnsReader reader) => new(new IPAddress(reader.ReadBytes(4)));
}
