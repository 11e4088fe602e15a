using System.Security.Cryptography;

namespace Resolver.Core.Upstreams;

/// <summary>A set of upstreams and the policy that orders them for each question. Down ones go last, as a last resort.</summary>
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

    /// <summary>The order to try servers in for one question.</summary>
    public UpstreamServer[] Order(double exploration)
    {
        var usable = _servers.Where(s => s.IsUsable).ToArray();
        switch (Policy)
        {
            case UpstreamPolicy.Fastest:
                // By retransmit timeout: RTT and its variance, backed off by unanswered tries. Exploration keeps the
                // RTTs of the others current, but only within the RTT band: a client never waits on a server known
                // to be far slower (one that was, and has recovered, is measured again when it is asked as a fallback).
                Array.Sort(usable, (a, b) => a.RetransmitTimeoutMs.CompareTo(b.RetransmitTimeoutMs));
                var band = usable.Length == 0 ? 0 : usable.Count(s => s.RetransmitTimeoutMs <= usable[0].RetransmitTimeoutMs + UpstreamServer.RetransmitBand.TotalMilliseconds);
                if (band > 1 && RandomNumberGenerator.GetInt32(1_000_000) < exploration * 1_000_000)
                {
                    var pick = 1 + RandomNumberGenerator.GetInt32(band - 1);
                    (usable[0], usable[pick]) = (usable[pick], usable[0]);
                }

                break;
            case UpstreamPolicy.RoundRobin when usable.Length > 1:
                var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)usable.Length);
                usable = [.. usable[start..], .. usable[..start]];
                break;
        }

        var down = _servers.Where(s => !s.IsUsable && !s.Drained);
        return [.. usable, .. down];
    }
}
