using System.Text.RegularExpressions;

namespace Resolver.EndToEnd.Metrics;

/// <summary>The resolver's metric names in query expressions (alert rules, dashboards), checked against a real scrape.</summary>
internal static partial class MetricNames
{
    /// <summary>Every resolver metric name <paramref name="expressions"/> use: the names it exports all begin with <c>resolver_</c>.</summary>
    public static HashSet<string> UsedIn(IEnumerable<string> expressions) =>
        expressions.SelectMany(e => Name().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The names of <paramref name="used"/> that <paramref name="scrape"/> does not have, in order.</summary>
    public static List<string> NotIn(MetricsScrape scrape, IEnumerable<string> used)
    {
        var exported = scrape.Samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return [.. used.Where(n => !exported.Contains(n)).Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"\bresolver_[a-zA-Z0-9_]+")]
    private static partial Regex Name();
}
