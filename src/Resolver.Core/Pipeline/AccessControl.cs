using System.Net;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;

namespace Resolver.Core.Pipeline;

/// <summary>Which client addresses may query (CIDR allow-list); the rest get REFUSED. Follows configuration reloads.</summary>
public sealed class AccessControl
{
    private volatile IPNetwork[] _allowed;

    public AccessControl(IOptionsMonitor<DnsServerOptions> options)
        : this(options.CurrentValue.AllowedNetworks)
    {
        options.OnChange(o => _allowed = Parse(o.AllowedNetworks));
    }

    internal AccessControl(IEnumerable<string> networks)
    {
        _allowed = Parse(networks);
    }

    public bool IsAllowed(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        foreach (var network in _allowed)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }

    private static IPNetwork[] Parse(IEnumerable<string> networks) => [.. networks.Select(n => IPNetwork.Parse(n))];
}
