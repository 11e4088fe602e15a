using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>SOA: start of authority (RFC 1035 §3.3.13). <see cref="Minimum"/> bounds negative caching (RFC 2308).</summary>
public sealed class SoaData : DnsRecordData
{
    public SoaData(DnsName primaryServer, DnsName responsibleMailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        ArgumentNullException.ThrowIfNull(primaryServer);
        ArgumentNullException.ThrowIfNull(responsibleMailbox);
        PrimaryServer = primaryServer;
        ResponsibleMailbox = responsibleMailbox;
        Serial = serial;
        Refresh = refresh;
        Retry = retry;
        Expire = expire;
        Minimum = minimum;
    }

    public DnsName PrimaryServer { get; }

    public DnsName ResponsibleMailbox { get; }

    public uint Serial { get; }

    public uint Refresh { get; }

    public uint Retry { get; }

    public uint Expire { get; }

    public uint Minimum { get; }

    public override DnsRecordType Type => DnsRecordType.SOA;

    public override bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteName(PrimaryServer)
        && writer.TryWriteName(ResponsibleMailbox)
        && writer.TryWriteUInt32(Serial)
        && writer.TryWriteUInt32(Refresh)
        && writer.TryWriteUInt32(Retry)
        && writer.TryWriteUInt32(Expire)
        && writer.TryWriteUInt32(Minimum);

    public override string ToString() =>
        $"{PrimaryServer} {ResponsibleMailbox} {Serial} {Refresh} {Retry} {Expire} {Minimum}";

    internal static SoaData Read(ref DnsReader reader) => new(
        reader.ReadName(),
        reader.ReadName(),
        reader.ReadUInt32(),
        reader.ReadUInt32(),
        reader.ReadUInt32(),
        reader.ReadUInt32(),
        reader.ReadUInt32());
}
