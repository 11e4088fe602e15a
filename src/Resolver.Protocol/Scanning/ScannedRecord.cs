using Resolver.Protocol.Records;

namespace Resolver.Protocol.Scanning;

public enum DnsSection : byte
{
    Answer,
    Authority,
    Additional,
}

/// <summary>Where one record sits in a message, so a stored response can be re-aged by rewriting TTLs in place.</summary>
public readonly record struct ScannedRecord(
    DnsSection Section,
    int NameOffset,
    DnsRecordType Type,
    ushort Class,
    int TtlOffset,
    uint Ttl,
    int DataOffset,
    int DataLength);
