using Resolver.Protocol.Names;

namespace Resolver.Core.Watch;

/// <summary>
/// A watched name (or subtree): a negative answer or SERVFAIL for it does not replace the positive answer the cache
/// holds until it has lasted <see cref="Hold"/>. The one set of limits for the configuration and the admin API.
/// </summary>
public sealed record WatchRule(DnsName Name, bool Subtree, TimeSpan Hold, TimeSpan? ProbeInterval)
{
    public static readonly TimeSpan DefaultHold = TimeSpan.FromMinutes(15);

    /// <summary>At most a day: the last good answer must still be in the cache when the hold ends (Cache:MaxStale is a day by default).</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromDays(1);

    public static readonly TimeSpan MinProbeInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxProbeInterval = TimeSpan.FromDays(1);

    /// <summary>Whether the rule covers <paramref name="name"/> (a wire name, any case).</summary>
    public bool Covers(ReadOnlySpan<byte> name) =>
        Subtree ? NameWire.IsAtOrBelow(name, Name.Wire) : NameWire.EqualsIgnoreCase(name, Name.Wire);

    /// <summary>A rule from its parts, or why not: each message starts with <paramref name="key"/> (a configuration key or a field).</summary>
    public static WatchRule? TryCreate(string? name, bool subtree, TimeSpan hold, TimeSpan? probeInterval, string key, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        if (!DnsName.TryParse(name, out var parsed) || parsed.IsRoot)
        {
            errors.Add($"{key}Name: '{name}' is not a domain name (the root cannot be watched).");
        }

        if (hold <= TimeSpan.Zero || hold > MaxHold)
        {
            errors.Add($"{key}Hold must be above 00:00:00 and at most {MaxHold} (was {hold}).");
        }

        if (probeInterval is { } interval && (interval < MinProbeInterval || interval > MaxProbeInterval))
        {
            errors.Add($"{key}ProbeInterval must be between {MinProbeInterval} and {MaxProbeInterval} when set (was {interval}).");
        }

        return errors.Count == before ? new WatchRule(parsed!.ToLowerInvariant(), subtree, hold, probeInterval) : null;
    }
}
