using System.Net;

namespace Resolver.Core.Listeners;

/// <summary>Parses "127.0.0.1:53" / "[::1]:53" listen addresses; the port is required (0 = any free port).</summary>
public static class ListenEndPoints
{
    public static bool TryParse(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text) || !text.Contains(':', StringComparison.Ordinal) || !IPEndPoint.TryParse(text, out var parsed))
        {
            return false;
        }

        // "::1" parses as an address without a port; a port is required, so IPv6 needs brackets.
        if (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !text.StartsWith('['))
        {
            return false;
        }

        endPoint = parsed;
        return true;
    }
}
