using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Protocol.Names;

namespace Resolver.Core.Upstreams;

/// <summary>
/// Every configured upstream, grouped into the default pool and the per-domain forwarder pools. A configuration
/// reload builds new pools; a server whose address, transport and TLS name are unchanged keeps its object, so its
/// round-trip estimate, health and connections carry over. Queries in flight finish on the pools they started with.
/// </summary>
public sealed partial class UpstreamRegistry
{
    private readonly ILogger<UpstreamRegistry> _logger;
    private readonly TimeProvider _time;
    private volatile Pools _pools;

    public UpstreamRegistry(IOptionsMonitor<UpstreamOptions> options, TimeProvider time, ILogger<UpstreamRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _time = time;
        _pools = Build(options.CurrentValue, previous: null);
        options.OnChange(Reload);
    }

    /// <summary>Raised after a reload with the servers it removed (their connections can go once their queries are done).</summary>
    public event Action<IReadOnlyList<UpstreamServer>>? Changed;

    public IEnumerable<UpstreamServer> All => _pools.All;

    /// <summary>The pool for a wire name: the deepest matching forwarder, else the default.</summary>
    public UpstreamPool PoolFor(ReadOnlySpan<byte> name)
    {
        var pools = _pools;
        return pools.Forwarder(name) is { } index ? pools.Forwarders[index].Pool : pools.Default;
    }

    /// <summary>
    /// The length in wire bytes of the apex of the pool that serves <paramref name="name"/>: its forwarder
    /// domain, or 1 (the root) for the default pool. Names above the apex are another pool's answers.
    /// </summary>
    public int PoolApexLength(ReadOnlySpan<byte> name)
    {
        var pools = _pools;
        return pools.Forwarder(name) is { } index ? pools.Forwarders[index].Domain.Length : 1;
    }

    private void Reload(UpstreamOptions settings)
    {
        var previous = _pools;
        var next = Build(settings, previous);
        _pools = next;
        var kept = next.All.ToHashSet();
        var removed = previous.All.Where(s => !kept.Contains(s)).ToList();
        LogReloaded(_logger, next.All.Count(), next.Forwarders.Length, removed.Count);
        Changed?.Invoke(removed);
    }

    /// <summary>
    /// The pools <paramref name="settings"/> describe, with the servers of <paramref name="previous"/>'s same pool reused
    /// where unchanged. Names are unique: a second server of one address and transport (in another pool, or twice in one)
    /// is "address:port/transport#2", so drain reaches each. Reused servers keep their names, so they are placed first.
    /// </summary>
    private Pools Build(UpstreamOptions settings, Pools? previous)
    {
        var specs = new List<(byte[] Domain, UpstreamPolicy Policy, List<UpstreamServerOptions> Servers, UpstreamPool? Before)>
        {
            ([], settings.Policy, settings.Servers, previous?.Default),
        };
        foreach (var forwarder in settings.Forwarders)
        {
            var domain = DnsName.Parse(forwarder.Domain).Wire.ToArray();
            specs.Add((domain, forwarder.Policy ?? settings.Policy, forwarder.Servers, previous?.Forwarders.FirstOrDefault(p => p.Domain.AsSpan().SequenceEqual(domain)).Pool));
        }

        var taken = new HashSet<UpstreamServer>();
        var reused = specs.Select(spec => spec.Servers.Select(o => Reuse(spec.Before, o, taken)).ToArray()).ToList();
        var names = new HashSet<string>(taken.Select(s => s.Name), StringComparer.OrdinalIgnoreCase);
        var pools = specs.Select((spec, p) => new UpstreamPool(
            spec.Servers.Select((o, i) => reused[p][i] ?? Track(UpstreamServer.Create(o, _time, UniqueName(o, names)))).ToList(), spec.Policy)).ToList();

        var forwarders = specs.Skip(1).Select((spec, f) => (spec.Domain, Pool: pools[f + 1]))
            .OrderByDescending(f => f.Domain.Length) // longest domain first, so the most specific forwarder wins
            .ToArray();
        return new Pools(pools[0], forwarders);
    }

    /// <summary>The server of the pool before that <paramref name="options"/> describes and no other entry has taken yet; null when none.</summary>
    private static UpstreamServer? Reuse(UpstreamPool? before, UpstreamServerOptions options, HashSet<UpstreamServer> taken)
    {
        var server = before?.Servers.FirstOrDefault(s => !taken.Contains(s) && IsSame(s, options));
        if (server is not null)
        {
            taken.Add(server);
        }

        return server;
    }

    /// <summary>The configured name, else "address:port/transport", with "#2", "#3" … when a server of this generation has it; then taken.</summary>
    private static string UniqueName(UpstreamServerOptions options, HashSet<string> names)
    {
        var name = options.Name ?? (UpstreamServer.TryParseEndPoint(options.Address, options.Transport, out var endPoint)
            ? UpstreamServer.DefaultName(endPoint, options.Transport)
            : options.Address);
        var unique = name;
        for (var n = 2; names.Contains(unique); n++)
        {
            unique = $"{name}#{n}";
        }

        names.Add(unique);
        return unique;
    }

    private static bool IsSame(UpstreamServer server, UpstreamServerOptions options) =>
        server.Transport == options.Transport
        && string.Equals(server.TlsName, options.TlsName, StringComparison.OrdinalIgnoreCase)
        && (options.Name is null || string.Equals(server.Name, options.Name, StringComparison.OrdinalIgnoreCase))
        && UpstreamServer.TryParseEndPoint(options.Address, options.Transport, out var endPoint) && server.EndPoint.Equals(endPoint);

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

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Upstreams reloaded: {Servers} servers, {Forwarders} forwarders; {Removed} servers removed")]
    private static partial void LogReloaded(ILogger logger, int servers, int forwarders, int removed);

    /// <summary>One generation of pools: the default and the forwarders, longest domain first.</summary>
    private sealed record Pools(UpstreamPool Default, (byte[] Domain, UpstreamPool Pool)[] Forwarders)
    {
        public IEnumerable<UpstreamServer> All => Default.Servers.Concat(Forwarders.SelectMany(f => f.Pool.Servers));

        /// <summary>The deepest forwarder whose domain holds the name (a longer domain lies deeper, whole labels matched).</summary>
        public int? Forwarder(ReadOnlySpan<byte> name)
        {
            for (var i = 0; i < Forwarders.Length; i++)
            {
                if (NameWire.IsAtOrBelow(name, Forwarders[i].Domain))
                {
                    return i;
                }
            }

            return null;
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Upstream {Upstream} is down after repeated failures (last: {Error}); probing it with back-off")]
    private static partial void LogDown(ILogger logger, string upstream, string error);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Upstream {Upstream} is answering again")]
    private static partial void LogUp(ILogger logger, string upstream);
}
