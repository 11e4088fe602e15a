using System.Net;

namespace Resolver.Admin;

/// <summary>Who made an admin call, for audit lines: the authenticated token's name and the client's address.</summary>
internal readonly record struct AdminCaller(string Name, string Address)
{
    /// <summary>The caller of a request that passed authorization (so <see cref="HttpContext.User"/> is a token's principal).</summary>
    public static AdminCaller Of(HttpContext http) =>
        new(http.User.Identity?.Name ?? "anonymous", ClientAddress(http)?.ToString() ?? "unknown");

    /// <summary>The client's address, an IPv4 client on a dual-stack socket as plain IPv4.</summary>
    public static IPAddress? ClientAddress(HttpContext http) =>
        http.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : http.Connection.RemoteIpAddress;
}
