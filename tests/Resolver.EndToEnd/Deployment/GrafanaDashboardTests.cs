using System.Text.Json;
using Resolver.EndToEnd.Metrics;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>deploy/grafana/resolver.json: a Grafana dashboard whose every query asks for metrics a running resolver exports.</summary>
public sealed class GrafanaDashboardTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>, IDisposable
{
    private static readonly string s_path = Path.Combine(RepositoryLayout.Root, "deploy", "grafana", "resolver.json");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Every_query_of_the_dashboard_uses_metrics_a_running_resolver_exports()
    {
        // Labelled counters appear once counted: an answer, an NXDOMAIN, an upstream's REFUSED (NSD serves no
        // example.org) and a flush.
        await MetricsScrape.CountAnAnswerAndAnNxDomainAsync(fixture.Port);
        await Dig.QueryAsync(fixture.Port, "www.example.org", "A");
        var (status, body) = await fixture.Stack.Resolver.PostAdminAsync("/api/v1/cache/flush", """{"name": "www.test.example"}""");
        Assert.True(status == System.Net.HttpStatusCode.OK, body);
        var scrape = await MetricsScrape.GetAsync(_http, fixture.Stack.Resolver.AdminPort);

        var used = MetricNames.UsedIn(Expressions());

        Assert.True(used.Count >= 10, $"Found only {string.Join(", ", used)} in {s_path}.");
        var unknown = MetricNames.NotIn(scrape, used);
        Assert.True(unknown.Count == 0, $"the dashboard asks for metrics the resolver does not export: {string.Join(", ", unknown)}\n--- scrape ---\n{scrape}");
    }

    [Fact]
    public void The_dashboard_is_one_grafana_can_import()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(s_path));
        var root = document.RootElement;

        Assert.Equal("resolver", root.GetProperty("uid").GetString());
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36);
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.All(panels, p => Assert.NotEmpty(p.GetProperty("targets").EnumerateArray()));
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(), v => v.GetProperty("type").GetString() == "datasource");
    }

    /// <summary>Every PromQL expression: the panels' targets and the template variables' queries.</summary>
    private static List<string> Expressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(s_path));
        var root = document.RootElement;
        var targets = root.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!);
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "query")
            .Select(v => v.GetProperty("query").GetString()!);
        return [.. targets.Concat(variables)];
    }
}
