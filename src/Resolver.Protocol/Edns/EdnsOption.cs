using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>One option inside an OPT record; each decoded kind reads and writes its own data.</summary>
public abstract class EdnsOption
{
    public abstract ushort Code { get; }

    /// <summary>Writes the option data only (no code or length); false when the buffer is full.</summary>
    public abstract bool TryWriteData(ref DnsWriter writer);

    /// <summary>One line as dig shows it in the OPT pseudosection.</summary>
    public abstract override string ToString();

    internal static EdnsOption Read(ushort code, ReadOnlySpan<byte> data) => (EdnsOptionCode)code switch
    {
        EdnsOptionCode.Cookie => CookieOption.Read(data),
        EdnsOptionCode.ExtendedError => ExtendedErrorOption.Read(data),
        EdnsOptionCode.Padding => new PaddingOption(data.Length),
        _ => new OpaqueEdnsOption(code, data),
    };
}
