using System.Net;
using Microsoft.Extensions.Options;
using Resolver.Core.Pipeline;

namespace Resolver.Core.Listeners;

/// <summary>Start-up checks for "Dns"; each message names the key.</summary>
public sealed class DnsServerOptionsValidator : IValidateOptions<DnsServerOptions>
{
    private const int MaxUdpThreads = 1024;

    /// <summary>Past this the host's own shutdown timeout would cut the grace short.</summary>
    public static readonly TimeSpan MaxShutdownGrace = TimeSpan.FromMinutes(1);

    public ValidateOptionsResult Validate(string? name, DnsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Listen.Count == 0)
        {
            errors.Add("Dns:Listen must list at least one address:port.");
        }

        for (var i = 0; i < options.Listen.Count; i++)
        {
            if (!ListenEndPoints.TryParse(options.Listen[i], out _))
            {
                errors.Add($"Dns:Listen:{i}: '{options.Listen[i]}' is not an address:port (e.g. 127.0.0.1:53 or [::1]:53).");
            }
        }

        if (options.MaxUdpResponseSize is < 512 or > 65535)
        {
            errors.Add($"Dns:MaxUdpResponseSize must be between 512 and 65535 (was {options.MaxUdpResponseSize}).");
        }

        if (options.TcpIdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Dns:TcpIdleTimeout must be positive (was {options.TcpIdleTimeout}).");
        }

        if (options.TcpWriteTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Dns:TcpWriteTimeout must be positive (was {options.TcpWriteTimeout}).");
        }

        if (options.ShutdownGrace < TimeSpan.Zero || options.ShutdownGrace > MaxShutdownGrace)
        {
            errors.Add($"Dns:ShutdownGrace must be between 0 and {MaxShutdownGrace} (was {options.ShutdownGrace}).");
        }

        if (options.MaxTcpConnections < 1)
        {
            errors.Add($"Dns:MaxTcpConnections must be at least 1 (was {options.MaxTcpConnections}).");
        }

        if (options.MaxTcpConnectionsPerClient < 1)
        {
            errors.Add($"Dns:MaxTcpConnectionsPerClient must be at least 1 (was {options.MaxTcpConnectionsPerClient}).");
        }

        if (options.MaxPendingQueries < 1)
        {
            errors.Add($"Dns:MaxPendingQueries must be at least 1 (was {options.MaxPendingQueries}).");
        }

        if (options.UdpThreads is < 0 or > MaxUdpThreads)
        {
            errors.Add($"Dns:UdpThreads must be between 0 (one per CPU) and {MaxUdpThreads} (was {options.UdpThreads}).");
        }

        if (options.MaxTcpQueriesPerConnection < 1)
        {
            errors.Add($"Dns:MaxTcpQueriesPerConnection must be at least 1 (was {options.MaxTcpQueriesPerConnection}).");
        }

        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.AllowedNetworks[i], out _))
            {
                errors.Add($"Dns:AllowedNetworks:{i}: '{options.AllowedNetworks[i]}' is not a network in CIDR form (e.g. 192.168.0.0/16).");
            }
        }

        ValidateRateLimit(options.RateLimit, errors);

        for (var i = 0; i < options.LocalRecords.Count; i++)
        {
            try
            {
                LocalZone.Parse(options.LocalRecords[i]);
            }
            catch (FormatException e)
            {
                errors.Add($"Dns:LocalRecords:{i}: {e.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateRateLimit(RateLimitOptions limit, List<string> errors)
    {
        if (limit.ResponsesPerSecond < 0)
        {
            errors.Add($"Dns:RateLimit:ResponsesPerSecond must be 0 (off) or more (was {limit.ResponsesPerSecond}).");
        }

        if (limit.Slip is < 0 or > 10)
        {
            errors.Add($"Dns:RateLimit:Slip must be between 0 (drop every limited response) and 10 (was {limit.Slip}).");
        }

        if (limit.IPv4PrefixLength is < 8 or > 32)
        {
            errors.Add($"Dns:RateLimit:IPv4PrefixLength must be between 8 and 32 (was {limit.IPv4PrefixLength}).");
        }

        if (limit.IPv6PrefixLength is < 16 or > 128)
        {
            errors.Add($"Dns:RateLimit:IPv6PrefixLength must be between 16 and 128 (was {limit.IPv6PrefixLength}).");
        }

        for (var i = 0; i < limit.ExemptNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(limit.ExemptNetworks[i], out _))
            {
                errors.Add($"Dns:RateLimit:ExemptNetworks:{i}: '{limit.ExemptNetworks[i]}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
            }
        }
    }
}
