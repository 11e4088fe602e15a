namespace Resolver.Core.Pipeline;

/// <summary>
/// "Dns:RateLimit": UDP responses per second per client network, so the resolver cannot be turned into a flood
/// cannon by queries with a forged source. Past the limit every <see cref="Slip"/>th response goes out empty with
/// TC=1 (a real client asks again over TCP, which cannot be forged) and the rest are dropped. TCP is not limited.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Used when ExemptNetworks is not configured: the host itself is never limited.</summary>
    public static readonly IReadOnlyList<string> DefaultExemptNetworks = ["127.0.0.0/8", "::1/128"];

    /// <summary>
    /// Responses per second to one client network; 0 turns limiting off. The default leaves a busy web server's
    /// resolver library far below the limit and still caps what one network can draw.
    /// </summary>
    public int ResponsesPerSecond { get; set; } = 1000;

    /// <summary>Of the responses past the limit, every Slip-th goes out as an empty TC=1 answer; 0 drops them all, 1 slips them all.</summary>
    public int Slip { get; set; } = 2;

    /// <summary>The IPv4 network counted as one client (/24, as BIND's RRL).</summary>
    public int IPv4PrefixLength { get; set; } = 24;

    /// <summary>The IPv6 network counted as one client (/56, a typical end-site assignment).</summary>
    public int IPv6PrefixLength { get; set; } = 56;

    /// <summary>Client networks never limited (CIDR); loopback when not configured.</summary>
    public List<string> ExemptNetworks { get; set; } = [];
}
