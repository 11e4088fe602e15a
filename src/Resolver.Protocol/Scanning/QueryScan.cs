using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Scanning;

/// <summary>What the hot path needs from a query: header, first question (name in the caller's buffer) and EDNS.</summary>
public readonly record struct QueryScan(
    DnsHeader Header,
    int NameLength,
    DnsRecordType Type,
    DnsClass Class,
    int QuestionEnd,
    EdnsScan Edns)
{
    public bool HasQuestion => Header.QuestionCount > 0;
}
