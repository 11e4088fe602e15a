using Resolver.Protocol.Edns;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Messages;

/// <summary>
/// A fully decoded DNS message: for tests, the admin API, local answers and anything off the hot path.
/// The hot path uses <see cref="Scanning.MessageScanner"/> on the wire bytes instead.
/// </summary>
public sealed partial class DnsMessage
{
    private DnsHeader _header;

    public ushort Id { get => _header.Id; set => _header.Id = value; }

    public bool IsResponse { get => _header.IsResponse; set => _header.IsResponse = value; }

    public DnsOpcode Opcode { get => _header.Opcode; set => _header.Opcode = value; }

    public bool AuthoritativeAnswer { get => _header.AuthoritativeAnswer; set => _header.AuthoritativeAnswer = value; }

    public bool Truncated { get => _header.Truncated; set => _header.Truncated = value; }

    public bool RecursionDesired { get => _header.RecursionDesired; set => _header.RecursionDesired = value; }

    public bool RecursionAvailable { get => _header.RecursionAvailable; set => _header.RecursionAvailable = value; }

    public bool AuthenticData { get => _header.AuthenticData; set => _header.AuthenticData = value; }

    public bool CheckingDisabled { get => _header.CheckingDisabled; set => _header.CheckingDisabled = value; }

    /// <summary>The full (extended) response code; values above 15 need <see cref="Edns"/> to be written.</summary>
    public DnsResponseCode ResponseCode { get; set; }

    public List<DnsQuestion> Questions { get; } = [];

    public List<DnsResourceRecord> Answers { get; } = [];

    public List<DnsResourceRecord> Authorities { get; } = [];

    /// <summary>Additional records, without the OPT record (see <see cref="Edns"/>).</summary>
    public List<DnsResourceRecord> Additionals { get; } = [];

    /// <summary>The OPT record, when the message has one.</summary>
    public EdnsRecord? Edns { get; set; }

    /// <summary>A response skeleton for <paramref name="query"/>: same ID, opcode, RD, CD and question.</summary>
    public static DnsMessage CreateResponse(DnsMessage query, DnsResponseCode responseCode = DnsResponseCode.NoError)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = new DnsMessage
        {
            Id = query.Id,
            IsResponse = true,
            Opcode = query.Opcode,
            RecursionDesired = query.RecursionDesired,
            CheckingDisabled = query.CheckingDisabled,
            ResponseCode = responseCode,
        };
        response.Questions.AddRange(query.Questions);
        return response;
    }
}
