using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>RDATA of a type this codec does not decode, kept as opaque bytes (RFC 3597).</summary>
public sealed class UnknownData : DnsRecordData
{
    private readonly byte[] _data;

    public UnknownData(DnsRecordType type, ReadOnlySpan<byte> data)
    {
        Type = type;
        _data = data.ToArray();
    }

    public override DnsRecordType Type { get; }

    public ReadOnlySpan<byte> Data => _data;

    public override bool TryWrite(ref DnsWriter writer) => writer.TryWriteBytes(_data);

    /// <summary>The RFC 3597 generic form, <c>\# 4 DEADBEEF</c>.</summary>
    public override string ToString() =>
        _data.Length == 0 ? @"\# 0" : $@"\# {_data.Length} {RecordText.Hex(_data)}";
}
