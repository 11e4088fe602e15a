using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Scanning;

/// <summary>The layout of a response: header, question position and EDNS; the records go to the caller's span.</summary>
public readonly record struct ResponseScan(
    DnsHeader Header,
    int QuestionOffset,
    DnsRecordType QuestionType,
    DnsClass QuestionClass,
    int QuestionEnd,
    int RecordCount,
    EdnsScan Edns)
{
    /// <summary>The full response code, with the OPT record's upper bits.</summary>
    public DnsResponseCode ResponseCode => (DnsResponseCode)((Edns.ExtendedRcode << 4) | Header.ResponseCodeLow);
}
