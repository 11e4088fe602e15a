using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>RRSIG: a signature over one RRset (RFC 4034 §3). The signer name is never compressed on write.</summary>
public sealed class RrsigData : DnsRecordData
{
    private readonly byte[] _signature;

    public RrsigData(
        DnsRecordType typeCovered,
        byte algorithm,
        byte labels,
        uint originalTtl,
        uint expiration,
        uint inception,
        ushort keyTag,
        DnsName signer,
        ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(signer);
        TypeCovered = typeCovered;
        Algorithm = algorithm;
        Labels = labels;
        OriginalTtl = originalTtl;
        Expiration = expiration;
        Inception = inception;
        KeyTag = keyTag;
        Signer = signer;
        _signature = signature.ToArray();
    }

    public DnsRecordType TypeCovered { get; }

    public byte Algorithm { get; }

    public byte Labels { get; }

    public uint OriginalTtl { get; }

    public uint Expiration { get; }

    public uint Inception { get; }

    public ushort KeyTag { get; }

    public DnsName Signer { get; }

    public ReadOnlySpan<byte> Signature => _signature;

    public override DnsRecordType Type => DnsRecordType.RRSIG;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt16((ushort)TypeCovered)
        && writer.TryWriteUInt8(Algorithm)
        && writer.TryWriteUInt8(Labels)
        && writer.TryWriteUInt32(OriginalTtl)
        && writer.TryWriteUInt32(Expiration)
        && writer.TryWriteUInt32(Inception)
        && writer.TryWriteUInt16(KeyTag)
        && writer.TryWriteName(Signer, compress: false)
        && writer.TryWriteBytes(_signature);

    public override string ToString() =>
        $"{Mnemonics.ToText(TypeCovered)} {Algorithm} {Labels} {OriginalTtl} {RecordText.Timestamp(Expiration)} " +
        $"{RecordText.Timestamp(Inception)} {KeyTag} {Signer} {Convert.ToBase64String(_signature)}";

    internal static RrsigData Read(ref DnsReader reader, int end)
    {
        var typeCovered = (DnsRecordType)reader.ReadUInt16();
        var algorithm = reader.ReadUInt8();
        var labels = reader.ReadUInt8();
        var originalTtl = reader.ReadUInt32();
        var expiration = reader.ReadUInt32();
        var inception = reader.ReadUInt32();
        var keyTag = reader.ReadUInt16();
        var signer = reader.ReadName();
        var signature = reader.ReadBytes(end - reader.Position);
        return new RrsigData(typeCovered, algorithm, labels, originalTtl, expiration, inception, keyTag, signer, signature);
    }
}
