using System.Buffers.Binary;

namespace Resolver.Protocol.Messages;

/// <summary>The fixed 12-byte header (RFC 1035 §4.1.1). A plain value: read and written without allocating.</summary>
public struct DnsHeader
{
    public const int Size = 12;

    private const ushort QrBit = 0x8000;
    private const ushort AaBit = 0x0400;
    private const ushort TcBit = 0x0200;
    private const ushort RdBit = 0x0100;
    private const ushort RaBit = 0x0080;
    private const ushort AdBit = 0x0020;
    private const ushort CdBit = 0x0010;

    public ushort Id { get; set; }

    /// <summary>The raw flags word: QR, opcode, AA, TC, RD, RA, Z, AD, CD and the low 4 bits of RCODE.</summary>
    public ushort Flags { get; set; }

    public ushort QuestionCount { get; set; }

    public ushort AnswerCount { get; set; }

    public ushort AuthorityCount { get; set; }

    public ushort AdditionalCount { get; set; }

    public bool IsResponse { readonly get => Has(QrBit); set => Set(QrBit, value); }

    public DnsOpcode Opcode
    {
        readonly get => (DnsOpcode)((Flags >> 11) & 0xF);
        set => Flags = (ushort)((Flags & ~0x7800) | (((int)value & 0xF) << 11));
    }

    public bool AuthoritativeAnswer { readonly get => Has(AaBit); set => Set(AaBit, value); }

    public bool Truncated { readonly get => Has(TcBit); set => Set(TcBit, value); }

    public bool RecursionDesired { readonly get => Has(RdBit); set => Set(RdBit, value); }

    public bool RecursionAvailable { readonly get => Has(RaBit); set => Set(RaBit, value); }

    public bool AuthenticData { readonly get => Has(AdBit); set => Set(AdBit, value); }

    public bool CheckingDisabled { readonly get => Has(CdBit); set => Set(CdBit, value); }

    /// <summary>The low 4 bits of the response code; the rest live in the OPT record.</summary>
    public byte ResponseCodeLow
    {
        readonly get => (byte)(Flags & 0xF);
        set => Flags = (ushort)((Flags & ~0xF) | (value & 0xF));
    }

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        header = default;
        if (message.Length < Size)
        {
            return false;
        }

        header.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        header.Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        header.QuestionCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        header.AnswerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        header.AuthorityCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        header.AdditionalCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        return true;
    }

    public readonly bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], QuestionCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], AnswerCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], AuthorityCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], AdditionalCount);
        return true;
    }

    private readonly bool Has(ushort bit) => (Flags & bit) != 0;

    private void Set(ushort bit, bool value) => Flags = value ? (ushort)(Flags | bit) : (ushort)(Flags & ~bit);
}
