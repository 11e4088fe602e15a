using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>Padding (RFC 7830): zero bytes that hide the message length on encrypted transports.</summary>
public sealed class PaddingOption : EdnsOption
{
    public PaddingOption(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ushort.MaxValue);
        Length = length;
    }

    public int Length { get; }

    public override ushort Code => (ushort)EdnsOptionCode.Padding;

    public override bool TryWriteData(ref DnsWriter writer)
    {
        for (var i = 0; i < Length; i++)
        {
            if (!writer.TryWriteUInt8(0))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"PADDING: {Length} bytes";
}
