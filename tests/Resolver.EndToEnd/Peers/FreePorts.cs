using System.Net;
using System.Net.Sockets;

namespace Resolver.EndToEnd.Peers;

/// <summary>Loopback ports free for both UDP and TCP, found by binding port 0 and releasing; never handed out twice per run.</summary>
internal static class FreePorts
{
    private const int MaxTries = 50;

    private static readonly HashSet<int> s_handedOut = [];
    private static readonly Lock s_lock = new();

    public static int Next()
    {
        for (var i = 0; i < MaxTries; i++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            if (!IsTcpFree(port))
            {
                continue;
            }

            lock (s_lock)
            {
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free loopback port for UDP and TCP after {MaxTries} tries.");
    }

    /// <summary>True when nothing holds the UDP port any more (a stopped server has really let go).</summary>
    public static bool IsUdpFree(int port)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsTcpFree(int port)
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
