using System.Net;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;

namespace Resolver.Core.Pipeline;

/// <summary>Which client addresses may query (CIDR allow-list); the rest get REFUSED.</summary>
public sealed class AccessControl
{
    private readonly IPNetwork[] _allowed;

    public AccessControl(IOptions<DnsServerOptions> options)
        : this(options.Value.AllowedNetworks)
    {
    }

    internal AccessControl(IEnumerable<string> networks)
    {
        _allowed = [.. networks.Select(n => IPNetwork.Parse(n))];
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
}
