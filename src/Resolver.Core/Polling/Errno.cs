using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Resolver.Core.Polling;

/// <summary>The Linux errno values the P/Invoke socket calls look at, and a failed call's errno as .NET reports socket errors.</summary>
internal static class Errno
{
    public const int EIntr = 4;
    public const int EAgain = 11;

    /// <summary>The portable <see cref="SocketError"/> code where one fits, and the system's message.</summary>
    public static SocketException ToException(int errno)
    {
        var code = errno switch
        {
            111 => SocketError.ConnectionRefused, // ECONNREFUSED: for UDP, ICMP port unreachable for an earlier datagram
            113 => SocketError.HostUnreachable,
            101 => SocketError.NetworkUnreachable,
            104 => SocketError.ConnectionReset,
            _ => SocketError.SocketError,
        };
        return new SocketException((int)code, Marshal.GetPInvokeErrorMessage(errno));
    }
}
