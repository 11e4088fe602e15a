using Microsoft.Extensions.Options;
using Resolver.Protocol.Names;

namespace Resolver.Core.Watch;

/// <summary>
/// The watched names: Watch:Names from the configuration (at start and on each reload), then what the admin API adds
/// and removes (kept beside the cache snapshot). A name changed at run time keeps its run-time state across reloads.
/// Read where a negative answer meets a positive one in the cache, never per query.
/// </summary>
public sealed class WatchList
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DnsName, WatchRule> _rules = [];
    private readonly HashSet<DnsName> _configured = [];
    private readonly HashSet<DnsName> _unwatched = []; // configured names unwatched at run time
    private readonly HashSet<DnsName> _changedAtRunTime = [];

    public WatchList(IOptionsMonitor<WatchOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Configure(options.CurrentValue);
        options.OnChange(o =>
        {
            Configure(o);
            Changed?.Invoke();
        });
    }

    /// <summary>Takes the configured names: those gone from the configuration stop being watched, new and changed ones apply.</summary>
    private void Configure(WatchOptions options)
    {
        var errors = new List<string>();
        var rules = options.Names
            .Select(c => WatchRule.TryCreate(c.Name, c.Subtree, c.Hold, c.ProbeInterval, string.Empty, errors))
            .OfType<WatchRule>() // the validator has reported anything else, at start or before the reload was taken
            .ToList();
        lock (_lock)
        {
            foreach (var name in _configured.Where(n => !_changedAtRunTime.Contains(n)))
            {
                _rules.Remove(name);
            }

            _configured.Clear();
            foreach (var rule in rules)
            {
                _configured.Add(rule.Name);
                if (!_changedAtRunTime.Contains(rule.Name))
                {
                    _rules[rule.Name] = rule;
                }
            }

            _unwatched.IntersectWith(_configured);
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
            _changedAtRunTime.Add(rule.Name);
        }

        Changed?.Invoke();
    }

    /// <summary>Stops watching <paramref name="name"/>; returns its rule, null if it was not watched.</summary>
    public WatchRule? Remove(DnsName name)
    {
        WatchRule? removed;
        lock (_lock)
        {
            if (_rules.Remove(name, out removed))
            {
                _changedAtRunTime.Add(name);
                if (_configured.Contains(name))
                {
                    _unwatched.Add(name);
                }
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
                if (!_rules.TryGetValue(rule.Name, out var configured) || configured != rule)
                {
                    _changedAtRunTime.Add(rule.Name); // kept: the configuration says otherwise
                }

                _rules[rule.Name] = rule;
            }

            foreach (var name in unwatched)
            {
                if (_configured.Contains(name))
                {
                    _rules.Remove(name);
                    _unwatched.Add(name);
                    _changedAtRunTime.Add(name);
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
