using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Protocol.Names;

namespace Resolver.Core.Upstreams;

/// <summary>Every configured upstream, grouped into the default pool and the per-domain forwarder pools.</summary>
public sealed partial class UpstreamRegistry
{
    private readonly UpstreamPool _default;
    private readonly (byte[] Domain, UpstreamPool Pool)[] _forwarders;
    private readonly ILogger<UpstreamRegistry> _logger;
    private readonly TimeProvider _time;

    public UpstreamRegistry(IOptions<UpstreamOptions> options, TimeProvider time, ILogger<UpstreamRegistry> logger)
    {
        _logger = logger;
        _time = time;
        var settings = options.Value;
        _default = new UpstreamPool(settings.Servers.Select(s => Track(UpstreamServer.Create(s, time))), settings.Policy);

        // Longest domain first, so the most specific forwarder wins.
        _forwarders = [.. settings.Forwarders
            .Select(f => (Domain: DnsName.Parse(f.Domain).Wire.ToArray(), Pool: new UpstreamPool(f.Servers.Select(s => Track(UpstreamServer.Create(s, time))), f.Policy ?? settings.Policy)))
            .OrderByDescending(f => f.Domain.Length)];
    }

    public IEnumerable<UpstreamServer> All => _default.Servers.Concat(_forwarders.SelectMany(f => f.Pool.Servers));

    /// <summary>The pool for a wire name: the deepest matching forwarder, else the default.</summary>
    public UpstreamPool PoolFor(ReadOnlySpan<byte> name) => Forwarder(name) is { } index ? _forwarders[index].Pool : _default;

    /// <summary>
    /// The length in wire bytes of the apex of the pool that serves <paramref name="name"/>: its forwarder
    /// domain, or 1 (the root) for the default pool. Names above the apex are another pool's answers.
    /// </summary>
    public int PoolApexLength(ReadOnlySpan<byte> name) => Forwarder(name) is { } index ? _forwarders[index].Domain.Length : 1;

    /// <summary>The deepest forwarder whose domain holds the name (a longer domain lies deeper, whole labels matched).</summary>
    private int? Forwarder(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < _forwarders.Length; i++)
        {
            if (NameWire.IsAtOrBelow(name, _forwarders[i].Domain))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether some upstream may still answer: one not drained and not down for longer than <paramref name="grace"/>.
    /// A server down for a moment is being probed back, so readiness does not flap with one bad minute.
    /// </summary>
    public bool AnyServing(TimeSpan grace)
    {
        var now = _time.GetUtcNow();
        return All.Any(s => !s.Drained && !(s.DownSince is { } since && now - since > grace));
    }

    public UpstreamServer? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private UpstreamServer Track(UpstreamServer server)
    {
        server.HealthChanged += (s, up) =>
        {
            if (up)
            {
                LogUp(_logger, s.Name);
            }
            else
            {
                LogDown(_logger, s.Name, s.LastError ?? "unknown");
            }
        };
        return server;
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Upstream {Upstream} is down after repeated failures (last: {Error}); probing it with back-off")]
    private static partial void LogDown(ILogger logger, string upstream, string error);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Upstream {Upstream} is answering again")]
    private static partial void LogUp(ILogger logger, string upstream);
}
