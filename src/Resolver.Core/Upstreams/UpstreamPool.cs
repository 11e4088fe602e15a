
namespace Resolver.Core.Upstreams;

/// <summary>
/// A set of upstreams and the policy that orders them for each question. Demoted ones (<see cref="UpstreamServer.IsDemoted"/>)
/// come after the others that are up; down ones go last, as a last resort.
/// </summary>
public sealed class UpstreamPool
{
    private readonly UpstreamServer[] _servers;
    private int _next;

    public UpstreamPool(IEnumerable<UpstreamServer> servers, UpstreamPolicy policy)
    {
        _servers = [.. servers];
        Policy = policy;
    }

    public UpstreamPolicy Policy { get; }

    public IReadOnlyList<UpstreamServer> Servers => _servers;

    /// <summary>The order to try servers in for one question: one array, no LINQ (this runs on every cache miss).</summary>
    public UpstreamServer[] Order(double exploration)
    {
        // Each server's state is read once: it may change while the order is built.
        Span<ServerState> states = _servers.Length <= 64 ? stackalloc ServerState[_servers.Length] : new ServerState[_servers.Length];
        var (usable, demoted, down) = (0, 0, 0);
        for (var i = 0; i < _servers.Length; i++)
        {
            var server = _servers[i];
            states[i] = server.IsUsable ? (server.IsDemoted ? ServerState.Demoted : ServerState.Usable) : server.Drained ? ServerState.Drained : ServerState.Down;
            usable += states[i] == ServerState.Usable ? 1 : 0;
            demoted += states[i] == ServerState.Demoted ? 1 : 0;
            down += states[i] == ServerState.Down ? 1 : 0;
        }

        var order = new UpstreamServer[usable + demoted + down];
        var (u, m, d) = (0, usable, usable + demoted);
        for (var i = 0; i < _servers.Length; i++)
        {
            switch (states[i])
            {
                case ServerState.Usable:
                    order[u++] = _servers[i];
                    break;
                case ServerState.Demoted:
                    order[m++] = _servers[i]; // after the others that are up, in configured order
                    break;
                case ServerState.Down:
                    order[d++] = _servers[i]; // a last resort, in configured order
                    break;
            }
        }

        switch (Policy)
        {
            case UpstreamPolicy.Fastest when usable > 1:
                // By retransmit timeout: RTT and its variance, backed off by unanswered tries. Exploration keeps the
                // RTTs of the others current, but only within the RTT band: a client never waits on a server known
                // to be far slower (one that was, and has recovered, is measured again when it is asked as a fallback).
                var band = SortByRetransmitTimeout(order.AsSpan(0, usable));
                if (band > 1 && Random.Shared.NextDouble() < exploration)
                {
                    var pick = 1 + Random.Shared.Next(band - 1); // a spread, not a secret: no CSPRNG call per miss
                    (order[0], order[pick]) = (order[pick], order[0]);
                }

                break;
            case UpstreamPolicy.RoundRobin when usable > 1:
                var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)usable);
                var head = order.AsSpan(0, usable);
                head[..start].Reverse(); // rotated left by start, in place
                head[start..].Reverse();
                head.Reverse();
                break;
        }

        return order;
    }

    /// <summary>
    /// Sorts by retransmit timeout, each read once (it changes under concurrent answers), stable for equal ones;
    /// returns how many lie within <see cref="UpstreamServer.RetransmitBand"/> of the best.
    /// </summary>
    private static int SortByRetransmitTimeout(Span<UpstreamServer> servers)
    {
        Span<double> rto = stackalloc double[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            rto[i] = servers[i].RetransmitTimeoutMs;
        }

        for (var i = 1; i < servers.Length; i++) // insertion sort: a pool lists a handful of servers
        {
            var (server, key) = (servers[i], rto[i]);
            var j = i - 1;
            for (; j >= 0 && rto[j] > key; j--)
            {
                servers[j + 1] = servers[j];
                rto[j + 1] = rto[j];
            }

            servers[j + 1] = server;
            rto[j + 1] = key;
        }

        var band = 1;
        while (band < servers.Length && rto[band] <= rto[0] + UpstreamServer.RetransmitBand.TotalMilliseconds)
        {
            band++;
        }

        return band;
    }

    private enum ServerState : byte
    {
        Usable,
        Demoted,
        Down,
        Drained,
    }
}
