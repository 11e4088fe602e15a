using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>Any option not decoded here (NSID, client subnet, …), carried as raw bytes.</summary>
public sealed class OpaqueEdnsOption : EdnsOption
{
    private readonly byte[] _data;

    public OpaqueEdnsOption(ushort code, ReadOnlySpan<byte> data)
    {
        Code = code;
        _data = data.ToArray();
    }

    public override ushort Code { get; }

    public ReadOnlySpan<byte> Data => _data;

    public override bool TryWriteData(ref DnsWriter writer) => writer.TryWriteBytes(_data);

    public override string ToString()
    {
        var name = Enum.IsDefined((EdnsOptionCode)Code) ? ((EdnsOptionCode)Code).ToString().ToUpperInvariant() : $"OPT={Code}";
        return $"{name}: {Convert.ToHexString(_data)}";
    }
}
