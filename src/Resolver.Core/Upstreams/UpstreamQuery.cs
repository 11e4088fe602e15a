using System.Buffers.Binary;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One query to one upstream, with its anti-spoofing state: a cryptographically random ID and,
/// optionally, a randomized name case (0x20). A response must repeat both, and the question.
/// Written straight into one array (header, question, OPT), which the checks read the sent name from.
/// </summary>
internal sealed class UpstreamQuery
{
    private const int QuestionFixedLength = 4; // type, class
    private const int OptLength = 11; // root owner, type, UDP size, extended RCODE, version, flags, no options
    private const ushort DnssecOkBit = 0x8000;
    private readonly int _nameLength;

    private UpstreamQuery(byte[] wire, int nameLength, ushort id, DnsRecordType type, DnsClass @class, bool exactCase)
    {
        Wire = wire;
        _nameLength = nameLength;
        Id = id;
        Type = type;
        Class = @class;
        ExactCase = exactCase;
    }

    public byte[] Wire { get; }

    public ushort Id { get; }

    public DnsRecordType Type { get; }

    public DnsClass Class { get; }

    public bool ExactCase { get; }

    /// <summary>The name as sent (case randomized or not).</summary>
    private ReadOnlySpan<byte> SentName => Wire.AsSpan(DnsHeader.Size, _nameLength);

    public static UpstreamQuery Create(ReadOnlySpan<byte> name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, bool randomizeCase)
    {
        // One draw of CSPRNG bytes per query: two bytes of ID, then a bit per name byte for its case.
        Span<byte> random = stackalloc byte[sizeof(ushort) + (randomizeCase ? (name.Length + 7) / 8 : 0)];
        CryptoRandom.Fill(random);
        var id = BinaryPrimitives.ReadUInt16LittleEndian(random);
        var wire = new byte[DnsHeader.Size + name.Length + QuestionFixedLength + OptLength];

        // AD=1 asks a validating upstream to say whether the answer is authenticated (RFC 6840 §5.7):
        // Cache:NxDomainCut=Validated relies on it. Clients never see the upstream's AD bit.
        var header = new DnsHeader { Id = id, RecursionDesired = true, AuthenticData = true, CheckingDisabled = checkingDisabled, QuestionCount = 1, AdditionalCount = 1 };
        header.TryWrite(wire);
        var sentName = wire.AsSpan(DnsHeader.Size, name.Length);
        name.CopyTo(sentName);
        if (randomizeCase)
        {
            RandomizeCase(sentName, random[sizeof(ushort)..]);
        }

        var rest = wire.AsSpan(DnsHeader.Size + name.Length);
        BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(rest[2..], (ushort)@class);
        var opt = rest[QuestionFixedLength..];
        opt[0] = 0; // the root
        BinaryPrimitives.WriteUInt16BigEndian(opt[1..], (ushort)DnsRecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(opt[3..], EdnsRecord.DefaultPayloadSize);
        BinaryPrimitives.WriteUInt16BigEndian(opt[7..], dnssecOk ? DnssecOkBit : (ushort)0); // extended RCODE and version stay 0
        return new UpstreamQuery(wire, name.Length, id, type, @class, randomizeCase);
    }

    /// <summary>Whether <paramref name="response"/> answers this query: QR set, same ID, same single question.</summary>
    public bool IsAnsweredBy(ReadOnlySpan<byte> response)
    {
        if (response.Length < DnsHeader.Size || !DnsHeader.TryRead(response, out var header))
        {
            return false;
        }

        if (!header.IsResponse || header.Id != Id || header.QuestionCount != 1)
        {
            return false;
        }

        var typeOffset = DnsHeader.Size + _nameLength;
        return response.Length >= typeOffset + QuestionFixedLength
            && NameWire.MatchesAt(response, DnsHeader.Size, SentName, ignoreCase: !ExactCase)
            && BinaryPrimitives.ReadUInt16BigEndian(response[typeOffset..]) == (ushort)Type
            && BinaryPrimitives.ReadUInt16BigEndian(response[(typeOffset + 2)..]) == (ushort)Class;
    }

    private static void RandomizeCase(Span<byte> name, ReadOnlySpan<byte> bits)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var lower = NameWire.ToLower(name[i]);
            if (lower is >= (byte)'a' and <= (byte)'z')
            {
                name[i] = ((bits[i >> 3] >> (i & 7)) & 1) == 0 ? lower : (byte)(lower & ~0x20);
            }
        }
    }
}
