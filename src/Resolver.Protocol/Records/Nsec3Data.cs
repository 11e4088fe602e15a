using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>NSEC3: hashed authenticated denial of existence (RFC 5155 §3).</summary>
public sealed class Nsec3Data : DnsRecordData
{
    private readonly byte[] _salt;
    private readonly byte[] _nextHashedOwner;

    public Nsec3Data(byte hashAlgorithm, byte flags, ushort iterations, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> nextHashedOwner, TypeBitmap types)
    {
        ArgumentNullException.ThrowIfNull(types);
        if (salt.Length > byte.MaxValue || nextHashedOwner.Length is 0 or > byte.MaxValue)
        {
            throw new ArgumentException("Salt is 0-255 bytes and the next hashed owner 1-255 bytes.");
        }

        HashAlgorithm = hashAlgorithm;
        Flags = flags;
        Iterations = iterations;
        _salt = salt.ToArray();
        _nextHashedOwner = nextHashedOwner.ToArray();
        Types = types;
    }

    public byte HashAlgorithm { get; }

    public byte Flags { get; }

    public ushort Iterations { get; }

    public ReadOnlySpan<byte> Salt => _salt;

    public ReadOnlySpan<byte> NextHashedOwner => _nextHashedOwner;

    public TypeBitmap Types { get; }

    public override DnsRecordType Type => DnsRecordType.NSEC3;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteUInt8(HashAlgorithm)
        && writer.TryWriteUInt8(Flags)
        && writer.TryWriteUInt16(Iterations)
        && writer.TryWriteCharacterString(_salt)
        && writer.TryWriteCharacterString(_nextHashedOwner)
        && Types.TryWrite(ref writer);

    public override string ToString()
    {
        var salt = _salt.Length == 0 ? "-" : RecordText.Hex(_salt);
        var types = Types.Types.Count == 0 ? string.Empty : " " + Types;
        return $"{HashAlgorithm} {Flags} {Iterations} {salt} {RecordText.Base32Hex(_nextHashedOwner)}{types}";
    }

    internal static Nsec3Data Read(ref DnsReader reader, int end)
    {
        var hashAlgorithm = reader.ReadUInt8();
        var flags = reader.ReadUInt8();
        var iterations = reader.ReadUInt16();
        var salt = reader.ReadCharacterString();
        var next = reader.ReadCharacterString();
        if (next.Length == 0)
        {
            ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
        }

        return new Nsec3Data(hashAlgorithm, flags, iterations, salt, next, TypeBitmap.Read(ref reader, end));
    }
}
