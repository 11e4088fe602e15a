using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>DNSKEY: a zone's public key (RFC 4034 §2).</summary>
public sealed class DnskeyData : DnsRecordData
{
    private readonly byte[] _publicKey;

    public DnskeyData(ushort flags, byte protocol, byte algorithm, ReadOnlySpan<byte> publicKey)
    {
        Flags = flags;
        Protocol = protocol;
        Algorithm = algorithm;
        _publicKey = publicKey.ToArray();
    }

    public ushort Flags { get; }

    public byte Protocol { get; }

    public byte Algorithm { get; }

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    public override DnsRecordType Type => DnsRecordType.DNSKEY;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt16(Flags)
        && writer.TryWriteUInt8(Protocol)
        && writer.TryWriteUInt8(Algorithm)
        && writer.TryWriteBytes(_publicKey);

    public override string ToString() => $"{Flags} {Protocol} {Algorithm} {Convert.ToBase64String(_publicKey)}";

    internal static DnskeyData Read(ref DnsReader reader, int end)
    {
        var flags = reader.ReadUInt16();
        var protocol = reader.ReadUInt8();
        var algorithm = reader.ReadUInt8();
        return new DnskeyData(flags, protocol, algorithm, reader.ReadBytes(end - reader.Position));
    }
}
