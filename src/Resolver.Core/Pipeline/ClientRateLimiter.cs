using System.Net;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;

namespace Resolver.Core.Pipeline;

/// <summary>
/// Counts UDP responses per client network per second (Dns:RateLimit) in a fixed table: no allocation per client,
/// bounded memory whatever the sources. Two networks that hash to one slot reset each other's count, which errs
/// towards answering. Follows configuration reloads.
/// </summary>
internal sealed class ClientRateLimiter
{
    private const int Slots = 1 << 14;
    private const int Stripes = 64; // locks, each over every 64th slot
    private readonly Slot[] _slots = new Slot[Slots];
    private readonly object[] _locks = [.. Enumerable.Range(0, Stripes).Select(_ => new object())];
    private readonly TimeProvider _time;
    private volatile Settings _settings;

    public ClientRateLimiter(IOptionsMonitor<DnsServerOptions> options, TimeProvider time)
    {
        _time = time;
        _settings = new Settings(options.CurrentValue.RateLimit);
        options.OnChange(o => _settings = new Settings(o.RateLimit));
    }

    public enum Verdict
    {
        Answer,
        Slip,
        Drop,
    }

    /// <summary>Whether a response to <paramref name="client"/> goes out now, goes out truncated, or is dropped.</summary>
    public Verdict Check(IPAddress client)
    {
        var settings = _settings;
        if (settings.Limit == 0 || settings.IsExempt(client))
        {
            return Verdict.Answer;
        }

        var prefix = ClientPrefix.Of(client, settings.Options.IPv4PrefixLength, settings.Options.IPv6PrefixLength);
        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        var index = (int)((uint)prefix.GetHashCode() & (Slots - 1));
        lock (_locks[index & (Stripes - 1)])
        {
            ref var slot = ref _slots[index];
            if (slot.Prefix != prefix || slot.Second != second)
            {
                slot = new Slot { Prefix = prefix, Second = second };
            }

            if (++slot.Responses <= settings.Limit)
            {
                return Verdict.Answer;
            }

            var slip = settings.Options.Slip;
            return slip > 0 && ++slot.Limited % slip == 0 ? Verdict.Slip : Verdict.Drop;
        }
    }

    private struct Slot
    {
        public ClientPrefix Prefix;
        public long Second;
        public int Responses;
        public int Limited;
    }

    /// <summary>The options with their networks parsed (validated at start and before a reload is taken).</summary>
    private sealed class Settings(RateLimitOptions options)
    {
        private readonly NetworkList _exempt = new(options.ExemptNetworks.Count > 0 ? options.ExemptNetworks : RateLimitOptions.DefaultExemptNetworks);

        public RateLimitOptions Options { get; } = options;

        public int Limit { get; } = options.ResponsesPerSecond;

        public bool IsExempt(IPAddress client) => _exempt.Contains(client);
    }
}
