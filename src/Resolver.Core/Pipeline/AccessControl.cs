using System.Net;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;

namespace Resolver.Core.Pipeline;

/// <summary>Which client addresses may query (CIDR allow-list); the rest get REFUSED. Follows configuration reloads.</summary>
public sealed class AccessControl
{
    private volatile NetworkList _allowed;

    public AccessControl(IOptionsMonitor<DnsServerOptions> options)
        : this(options.CurrentValue.AllowedNetworks)
    {
        options.OnChange(o => _allowed = new NetworkList(o.AllowedNetworks));
    }

    internal AccessControl(IEnumerable<string> networks)
    {
        _allowed = new NetworkList(networks);
    }

    public bool IsAllowed(IPAddress client) => _allowed.Contains(client);
}
