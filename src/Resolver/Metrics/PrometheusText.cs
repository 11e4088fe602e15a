using System.Globalization;
using System.Text;

namespace Resolver.Metrics;

/// <summary>
/// Names, escaping and number formatting of the Prometheus text format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/).
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// "resolver.upstream.duration" with unit "s" → "resolver_upstream_duration_seconds"; counters end in "_total".
    /// Units in braces ("{query}") are annotations and add nothing.
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        if (UnitSuffix(unit) is { } suffix && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>A tag name as a label name: characters outside [a-zA-Z0-9_] become '_', and it never starts with a digit.</summary>
    public static string LabelName(string tagName) => Sanitize(tagName, allowColon: false);

    /// <summary>A label value between double quotes: backslash, double quote and line feed are escaped.</summary>
    public static void AppendLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }

    /// <summary>HELP text: backslash and line feed are escaped (double quotes are not).</summary>
    public static void AppendHelp(StringBuilder builder, string help)
    {
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }

    /// <summary>A tag value as text: strings as they are, numbers in the invariant culture, null as empty.</summary>
    public static string TagValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A sample value or bucket bound as Go's ParseFloat reads it: shortest round-trip form, "+Inf", "-Inf", "NaN".</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? UnitSuffix(string? unit) => unit switch
    {
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        _ => null,
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        return builder.ToString();
    }
}
