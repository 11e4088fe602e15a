using System.Globalization;
using System.Text.RegularExpressions;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Metrics;

/// <summary>One sample line of a Prometheus text exposition: name, labels, value.</summary>
internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A parsed scrape of /metrics; <see cref="Text"/> is the whole body for failure messages.</summary>
internal sealed partial class MetricsScrape
{
    private MetricsScrape(string text, string? contentType, List<MetricSample> samples)
    {
        Text = text;
        ContentType = contentType;
        Samples = samples;
    }

    public string Text { get; }

    public string? ContentType { get; }

    public IReadOnlyList<MetricSample> Samples { get; }

    /// <summary>GET http://127.0.0.1:PORT/metrics and parse the samples.</summary>
    public static async Task<MetricsScrape> GetAsync(HttpClient http, int adminPort)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}/metrics"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /metrics: {(int)response.StatusCode}\n{text}");
        return new MetricsScrape(text, response.Content.Headers.ContentType?.ToString(), Parse(text));
    }

    /// <summary>
    /// Asks the resolver on <paramref name="dnsPort"/> for a name the test zone has and one it has not: counters with
    /// labels appear in a scrape only once counted (no # HELP either), so a scrape after this shows the answer and miss series.
    /// </summary>
    public static async Task CountAnAnswerAndAnNxDomainAsync(int dnsPort)
    {
        var answer = await Dig.QueryAsync(dnsPort, "www.test.example", "A");
        var missing = await Dig.QueryAsync(dnsPort, "doesnotexist.test.example", "A");
        Assert.True(answer.Status == "NOERROR", answer.Text);
        Assert.True(missing.Status == "NXDOMAIN", missing.Text);
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every pair given.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Sum(s => s.Value);

    public override string ToString() => Text;

    private static List<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SamplePattern().Match(line);
            Assert.True(match.Success, $"Not a sample line: '{line}'");
            var labels = LabelPattern().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups[1].Value, m => Regex.Unescape(m.Groups[2].Value), StringComparer.Ordinal);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new MetricSample(match.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SamplePattern();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPattern();
}
