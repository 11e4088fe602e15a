using System.Net;
using System.Net.Sockets;

namespace Resolver.Core.Listeners;

/// <summary>A listen address could not be bound; the message names the endpoint and the fix.</summary>
public sealed class ListenerBindException : Exception
{
    public ListenerBindException(IPEndPoint endPoint, string transport, SocketException inner)
        : base(Describe(endPoint, transport, inner), inner)
    {
        EndPoint = endPoint;
    }

    public ListenerBindException()
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public ListenerBindException(string message)
        : base(message)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public ListenerBindException(string message, Exception innerException)
        : base(message, innerException)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public IPEndPoint EndPoint { get; }

    private static string Describe(IPEndPoint endPoint, string transport, SocketException inner) => inner.SocketErrorCode switch
    {
        SocketError.AccessDenied =>
            $"Cannot listen on {endPoint} ({transport}): permission denied. Ports below 1024 need privileges: run with " +
            "CAP_NET_BIND_SERVICE (e.g. 'setcap cap_net_bind_service=+ep' on the binary, or AmbientCapabilities in the systemd unit), " +
            "or choose another port in Dns:Listen.",
        SocketError.AddressAlreadyInUse =>
            $"Cannot listen on {endPoint} ({transport}): the address is already in use (another resolver such as systemd-resolved " +
            "or dnsmasq?). Stop it, or choose another address or port in Dns:Listen.",
        SocketError.AddressNotAvailable =>
            $"Cannot listen on {endPoint} ({transport}): no such address on this machine. Fix Dns:Listen.",
        _ => $"Cannot listen on {endPoint} ({transport}): {inner.Message}. Check Dns:Listen.",
    };
}
