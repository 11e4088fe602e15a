using Microsoft.Extensions.Options;
using Resolver.Protocol.Names;

namespace Resolver.Core.Watch;

/// <summary>
/// The watched names: Watch:Names from the configuration at start, then what the admin API adds and removes (kept
/// in the cache snapshot). Read where a negative answer meets a positive one in the cache, never per query.
/// </summary>
public sealed class WatchList
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DnsName, WatchRule> _rules = [];
    private readonly HashSet<DnsName> _configured = [];
    private readonly HashSet<DnsName> _unwatched = []; // configured names unwatched at run time

    public WatchList(IOptions<WatchOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var configured in options.Value.Names)
        {
            if (WatchRule.TryCreate(configured.Name, configured.Subtree, configured.Hold, configured.ProbeInterval, string.Empty, errors) is { } rule)
            {
                _rules[rule.Name] = rule; // the validator has reported anything else at start-up
                _configured.Add(rule.Name);
            }
        }
    }

    /// <summary>Raised after a rule is set or removed (the snapshot keeps the list).</summary>
    public event Action? Changed;

    /// <summary>The rules, by name.</summary>
    public IReadOnlyList<WatchRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules.Values.OrderBy(r => r.Name.ToString(), StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Adds <paramref name="rule"/>, or replaces the rule for its name.</summary>
    public void Set(WatchRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_lock)
        {
            _rules[rule.Name] = rule;
            _unwatched.Remove(rule.Name);
        }

        Changed?.Invoke();
    }

    /// <summary>Stops watching <paramref name="name"/>; returns its rule, null if it was not watched.</summary>
    public WatchRule? Remove(DnsName name)
    {
        WatchRule? removed;
        lock (_lock)
        {
            if (_rules.Remove(name, out removed) && _configured.Contains(name))
            {
                _unwatched.Add(name);
            }
        }

        if (removed is not null)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    /// <summary>What run-time changes leave to keep: every rule now, and the configured names unwatched.</summary>
    public (IReadOnlyList<WatchRule> Rules, IReadOnlyList<DnsName> Unwatched) Export()
    {
        lock (_lock)
        {
            return ([.. _rules.Values], [.. _unwatched]);
        }
    }

    /// <summary>Applies what <see cref="Export"/> kept, over the configuration: its rules win for their names, its unwatched names go.</summary>
    public void Import(IEnumerable<WatchRule> rules, IEnumerable<DnsName> unwatched)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(unwatched);
        lock (_lock)
        {
            foreach (var rule in rules)
            {
                _rules[rule.Name] = rule;
            }

            foreach (var name in unwatched)
            {
                if (_configured.Contains(name))
                {
                    _rules.Remove(name);
                    _unwatched.Add(name);
                }
            }
        }
    }

    /// <summary>The rule that covers <paramref name="name"/> (a wire name): its own, else the closest subtree rule above it; null when none.</summary>
    public WatchRule? RuleFor(ReadOnlySpan<byte> name)
    {
        lock (_lock)
        {
            if (_rules.Count == 0)
            {
                return null;
            }

            WatchRule? best = null;
            foreach (var rule in _rules.Values)
            {
                if (rule.Covers(name) && (best is null || rule.Name.LabelCount > best.Name.LabelCount))
                {
                    best = rule;
                }
            }

            return best;
        }
    }
}
