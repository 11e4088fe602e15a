using Resolver.EndToEnd.Metrics;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>
/// deploy/prometheus/alerts.yml: valid for Prometheus, its unit tests (alerts.test.yml) pass, and every metric its
/// expressions use is one a running resolver exports.
/// </summary>
public sealed class AlertRulesTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>, IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static string Directory => Path.Combine(RepositoryLayout.Root, "deploy", "prometheus");

    private static string RulesPath => Path.Combine(Directory, "alerts.yml");

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Promtool_check_rules_accepts_the_alerts()
    {
        var output = await ProcessRunner.RunAsync(Promtool.Path, ["check", "rules", RulesPath], s_timeout);

        Assert.True(output.ExitCode == 0, $"promtool check rules exited {output.ExitCode}:\n{output.StandardOutput}{output.StandardError}");
    }

    [Fact]
    public async Task Promtool_test_rules_passes_the_alert_unit_tests()
    {
        var output = await ProcessRunner.RunAsync(Promtool.Path, ["test", "rules", Path.Combine(Directory, "alerts.test.yml")], s_timeout);

        Assert.True(output.ExitCode == 0, $"promtool test rules exited {output.ExitCode}:\n{output.StandardOutput}{output.StandardError}");
    }

    [Theory]
    [InlineData("ResolverUpstreamDown")]
    [InlineData("ResolverAllUpstreamsDown")]
    [InlineData("ResolverServfailRatio")]
    [InlineData("ResolverNegativeAnswersRising")]
    [InlineData("ResolverServingStale")]
    [InlineData("ResolverWatchedNameHeld")]
    public void Alert_is_defined_and_has_a_unit_test(string alert)
    {
        Assert.Contains($"- alert: {alert}", File.ReadAllLines(RulesPath).Select(l => l.Trim()));
        Assert.Contains($"alertname: {alert}", File.ReadAllLines(Path.Combine(Directory, "alerts.test.yml")).Select(l => l.Trim()));
    }

    [Fact]
    public async Task Every_metric_in_the_alert_expressions_is_in_a_scrape_of_a_running_resolver()
    {
        await MetricsScrape.CountAnAnswerAndAnNxDomainAsync(fixture.Port);
        var scrape = await MetricsScrape.GetAsync(_http, fixture.Stack.Resolver.AdminPort);
        var used = MetricNames.UsedIn(Expressions(File.ReadAllLines(RulesPath)));
        Assert.True(used.Count >= 4, $"Found only {string.Join(", ", used)} in the expressions of {RulesPath}.");
        var unknown = MetricNames.NotIn(scrape, used);
        Assert.True(unknown.Count == 0, $"alerts.yml uses metrics the resolver does not export: {string.Join(", ", unknown)}\n--- scrape ---\n{scrape}");
    }

    /// <summary>The text of each <c>expr:</c>, inline or a block (<c>expr: |</c> and the lines indented below it).</summary>
    private static IEnumerable<string> Expressions(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = trimmed["expr:".Length..].Trim();
            if (value is not ("|" or ">" or "|-" or ">-"))
            {
                yield return value;
                continue;
            }

            var indent = lines[i].Length - trimmed.Length;
            for (i++; i < lines.Length && (lines[i].Trim().Length == 0 || lines[i].Length - lines[i].TrimStart().Length > indent); i++)
            {
                yield return lines[i];
            }

            i--;
        }
    }
}
