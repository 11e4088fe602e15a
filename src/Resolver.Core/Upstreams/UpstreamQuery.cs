using System.Buffers.Binary;
using System.Security.Cryptography;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One query to one upstream, with its anti-spoofing state: a cryptographically random ID and,
/// optionally, a randomized name case (0x20). A response must repeat both, and the question.
/// </summary>
internal sealed class UpstreamQuery
{
    private readonly byte[] _name;

    private UpstreamQuery(byte[] wire, ushort id, byte[] name, DnsRecordType type, DnsClass @class, bool exactCase)
    {
        Wire = wire;
        Id = id;
        _name = name;
        Type = type;
        Class = @class;
        ExactCase = exactCase;
    }

    public byte[] Wire { get; }

    public ushort Id { get; }

    public DnsRecordType Type { get; }

    public DnsClass Class { get; }

    public bool ExactCase { get; }

    public static UpstreamQuery Create(ReadOnlySpan<byte> name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, bool randomizeCase)
    {
        var sentName = name.ToArray();
        if (randomizeCase)
        {
            RandomizeCase(sentName);
        }

        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        // AD=1 asks a validating upstream to say whether the answer is authenticated (RFC 6840 §5.7):
        // Cache:NxDomainCut=Validated relies on it. Clients never see the upstream's AD bit.
        var query = new DnsMessage { Id = id, RecursionDesired = true, AuthenticData = true, CheckingDisabled = checkingDisabled };
        query.Questions.Add(new DnsQuestion(DnsName.FromWire(sentName), type, @class));
        query.Edns = new EdnsRecord { UdpPayloadSize = EdnsRecord.DefaultPayloadSize, DnssecOk = dnssecOk };
        var buffer = new byte[DnsHeader.Size + sentName.Length + 4 + 11];
        query.TryWrite(buffer, out var written);
        return new UpstreamQuery(buffer[..written], id, sentName, type, @class, randomizeCase);
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

        var typeOffset = DnsHeader.Size + _name.Length;
        return response.Length >= typeOffset + 4
            && NameWire.MatchesAt(response, DnsHeader.Size, _name, ignoreCase: !ExactCase)
            && BinaryPrimitives.ReadUInt16BigEndian(response[typeOffset..]) == (ushort)Type
            && BinaryPrimitives.ReadUInt16BigEndian(response[(typeOffset + 2)..]) == (ushort)Class;
    }

    private static void RandomizeCase(Span<byte> name)
    {
        Span<byte> bits = stackalloc byte[name.Length];
        RandomNumberGenerator.Fill(bits);
        for (var i = 0; i < name.Length; i++)
        {
            var lower = NameWire.ToLower(name[i]);
            if (lower is >= (byte)'a' and <= (byte)'z')
            {
                name[i] = (bits[i] & 1) == 0 ? lower : (byte)(lower & ~0x20);
            }
        }
    }
}
