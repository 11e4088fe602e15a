using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>DS: the digest of a child zone's key, held by its parent (RFC 4034 §5).</summary>
public sealed class DsData : DnsRecordData
{
    private readonly byte[] _digest;

    public DsData(ushort keyTag, byte algorithm, byte digestType, ReadOnlySpan<byte> digest)
    {
        KeyTag = keyTag;
        Algorithm = algorithm;
        DigestType = digestType;
        _digest = digest.ToArray();
    }

    public ushort KeyTag { get; }

    public byte Algorithm { get; }

    public byte DigestType { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    public override DnsRecordType Type => DnsRecordType.DS;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt16(KeyTag)
        && writer.TryWriteUInt8(Algorithm)
        && writer.TryWriteUInt8(DigestType)
        && writer.TryWriteBytes(_digest);

    public override string ToString() => $"{KeyTag} {Algorithm} {DigestType} {RecordText.Hex(_digest)}";

    internal static DsData Read(ref DnsReader reader, int end)
    {
        var keyTag = reader.ReadUInt16();
        var algorithm = reader.ReadUInt8();
        var digestType = reader.ReadUInt8();
        return new DsData(keyTag, algorithm, digestType, reader.ReadBytes(end - reader.Position));
    }
}
