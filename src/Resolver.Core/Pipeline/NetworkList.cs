using System.Net;

namespace Resolver.Core.Pipeline;

/// <summary>Networks in CIDR form (validated before they get here), asked whether they hold a client; a dual-stack socket's IPv4 client counts as IPv4.</summary>
internal sealed class NetworkList(IEnumerable<string> networks)
{
    private readonly IPNetwork[] _networks = [.. networks.Select(n => IPNetwork.Parse(n))];

    public bool Contains(IPAddress client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }
}
