using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Resolver.Core.Listeners;

/// <summary>
/// A client address cut to the network it most likely stands for (a /32 or /24 of IPv4, a /64 or /56 of IPv6),
/// as a key for per-client limits. IPv4-mapped IPv6 addresses (dual-mode sockets) count as their IPv4 address.
/// </summary>
internal readonly record struct ClientPrefix(UInt128 Bits)
{
    // IPv4 keys live in ::ffff:0:0/96; an IPv6 key (a /64 or shorter) has its low 64 bits zero, so never meets one.
    private static readonly UInt128 s_mappedV4 = (UInt128)0xFFFF << 32;

    public static ClientPrefix Of(IPAddress address, int v4Bits, int v6Bits)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            var v4 = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            var mask = v4Bits == 0 ? 0u : uint.MaxValue << (32 - v4Bits);
            return new ClientPrefix(s_mappedV4 | (v4 & mask));
        }

        address.TryWriteBytes(bytes, out _);
        var v6 = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        var v6Mask = v6Bits == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - v6Bits);
        return new ClientPrefix(v6 & v6Mask);
    }
}
