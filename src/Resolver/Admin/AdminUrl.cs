using System.Net;

namespace Resolver.Admin;

/// <summary>
/// The host of an admin URL as Kestrel and the fleet write them ("http://0.0.0.0:8053", "http://[::]:8053",
/// "http://*:8053", "https://resolver.internal:8443/"). Kestrel's wildcard hosts are not valid in <see cref="Uri"/>, hence by hand.
/// </summary>
internal static class AdminUrl
{
    /// <summary>The hosts Kestrel reads as "every address".</summary>
    public static readonly string[] WildcardHosts = ["0.0.0.0", "[::]", "*", "+"];

    /// <summary>Where the host of <paramref name="url"/> starts and how long it is (brackets included); false without "scheme://".</summary>
    public static bool TryFindHost(string url, out int start, out int length)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            start = length = 0;
            return false;
        }

        start = schemeEnd + 3;
        var rest = url.AsSpan(start);
        length = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny(':', '/');
        if (length <= 0)
        {
            length = rest.Length;
        }

        return true;
    }

    /// <summary>True for "localhost" and the loopback addresses (127.0.0.0/8, ::1), with or without brackets.</summary>
    public static bool IsLoopbackHost(string host)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>True when <paramref name="url"/> is plain http:// to a host that is not loopback: a bearer token sent there crosses the network in clear.</summary>
    public static bool IsClearTextBeyondLoopback(string url)
    {
        var trimmed = url.Trim();
        return trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && TryFindHost(trimmed, out var start, out var length)
            && !IsLoopbackHost(trimmed.Substring(start, length));
    }
}
