using Microsoft.Extensions.Options;
using Resolver.Protocol.Names;

namespace Resolver.Core.Upstreams;

/// <summary>Start-up checks for "Upstreams"; each message names the key.</summary>
public sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    private static readonly TimeSpan MaxDemotion = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Servers.Count == 0)
        {
            errors.Add("Upstreams:Servers must list at least one upstream (two independent ones are recommended).");
        }

        ValidateServers(errors, "Upstreams:Servers", options.Servers);
        ValidateNames(errors, options);
        for (var i = 0; i < options.Forwarders.Count; i++)
        {
            var forwarder = options.Forwarders[i];
            var key = $"Upstreams:Forwarders:{i}";
            if (!DnsName.TryParse(forwarder.Domain, out _))
            {
                errors.Add($"{key}:Domain: '{forwarder.Domain}' is not a domain name.");
            }

            if (forwarder.Servers.Count == 0)
            {
                errors.Add($"{key}:Servers must list at least one upstream.");
            }

            ValidateServers(errors, $"{key}:Servers", forwarder.Servers);
        }

        if (options.Timeout < UpstreamServer.MinRetransmitTimeout)
        {
            errors.Add($"Upstreams:Timeout must be at least {UpstreamServer.MinRetransmitTimeout.TotalMilliseconds} ms (was {options.Timeout}).");
        }

        if (options.QueryDeadline < options.Timeout)
        {
            errors.Add($"Upstreams:QueryDeadline must be at least Upstreams:Timeout (was {options.QueryDeadline}, timeout {options.Timeout}).");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"Upstreams:MaxAttempts must be at least 1 (was {options.MaxAttempts}).");
        }

        if (options.HedgeDelay <= TimeSpan.Zero)
        {
            errors.Add($"Upstreams:HedgeDelay must be positive (was {options.HedgeDelay}).");
        }

        if (options.FailuresBeforeDown < 1)
        {
            errors.Add($"Upstreams:FailuresBeforeDown must be at least 1 (was {options.FailuresBeforeDown}).");
        }

        if (options.DownBackoff <= TimeSpan.Zero || options.MaxDownBackoff < options.DownBackoff)
        {
            errors.Add($"Upstreams:DownBackoff must be positive and at most Upstreams:MaxDownBackoff (was {options.DownBackoff}, max {options.MaxDownBackoff}).");
        }

        if (options.Exploration is < 0 or > 1)
        {
            errors.Add($"Upstreams:Exploration must be between 0 and 1 (was {options.Exploration}).");
        }

        if (options.MaxOutstanding < 1)
        {
            errors.Add($"Upstreams:MaxOutstanding must be at least 1 (was {options.MaxOutstanding}).");
        }

        if (options.DisagreementDemotion < TimeSpan.Zero || options.DisagreementDemotion > MaxDemotion)
        {
            errors.Add($"Upstreams:DisagreementDemotion must be between 00:00:00 and {MaxDemotion} (was {options.DisagreementDemotion}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateServers(List<string> errors, string key, List<UpstreamServerOptions> servers)
    {
        for (var i = 0; i < servers.Count; i++)
        {
            var server = servers[i];
            if (!UpstreamServer.TryParseEndPoint(server.Address, server.Transport, out _))
            {
                errors.Add($"{key}:{i}:Address: '{server.Address}' is not an IP address with an optional port (e.g. 9.9.9.9:53 or [2620:fe::fe]:53).");
            }

            if (server.Transport == UpstreamTransport.Tls && string.IsNullOrWhiteSpace(server.TlsName))
            {
                errors.Add($"{key}:{i}:TlsName is required for Transport Tls: it is the name checked against the server's certificate.");
            }

            if (server.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Contains('#', StringComparison.Ordinal)))
            {
                errors.Add($"{key}:{i}:Name: '{name}' must be non-empty and without '#' (the suffix of a second server with one name).");
            }
        }
    }

    /// <summary>Names given in the configuration are each given once, over the default pool and every forwarder.</summary>
    private static void ValidateNames(List<string> errors, UpstreamOptions options)
    {
        var named = options.Servers.Select((s, i) => (s.Name, Key: $"Upstreams:Servers:{i}:Name"))
            .Concat(options.Forwarders.SelectMany((f, j) => f.Servers.Select((s, i) => (s.Name, Key: $"Upstreams:Forwarders:{j}:Servers:{i}:Name"))))
            .Where(n => !string.IsNullOrWhiteSpace(n.Name));
        foreach (var twice in named.GroupBy(n => n.Name!, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"{string.Join(" and ", twice.Select(n => n.Key))}: the name '{twice.Key}' is given twice; upstream names must be unique.");
        }
    }
}
