using System.Globalization;
using System.Text.RegularExpressions;

namespace Resolver.EndToEnd.Peers;

/// <summary>One resource record line of dig/kdig output: "www.test.example. 300 IN A 192.0.2.10".</summary>
internal sealed record DigRecord(string Name, int Ttl, string Class, string Type, string Data);

/// <summary>The parts of a dig or kdig answer the tests check; <see cref="Text"/> is the whole output for failure messages.</summary>
internal sealed partial class DigResponse
{
    private DigResponse(string text)
    {
        Text = text;
    }

    public string Text { get; }

    /// <summary>NOERROR, NXDOMAIN, SERVFAIL, ...</summary>
    public string Status { get; private set; } = string.Empty;

    /// <summary>Header flags, lower case: qr, aa, tc, rd, ra, ...</summary>
    public HashSet<string> Flags { get; } = [];

    /// <summary>dig's ";; Query time: N msec", or -1 when it printed none.</summary>
    public int QueryTimeMs { get; private set; } = -1;

    public List<DigRecord> Answer { get; } = [];

    public List<DigRecord> Authority { get; } = [];

    /// <summary>Extended DNS Error lines (RFC 8914) as printed, e.g. "3 (Stale Answer)".</summary>
    public List<string> ExtendedErrors { get; } = [];

    public static DigResponse Parse(string text)
    {
        var response = new DigResponse(text);
        List<DigRecord>? section = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (StatusPattern().Match(line) is { Success: true } status)
            {
                response.Status = status.Groups[1].Value;
            }

            if (FlagsPattern().Match(line) is { Success: true } flags)
            {
                response.Flags.UnionWith(flags.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }

            if (QueryTimePattern().Match(line) is { Success: true } time)
            {
                response.QueryTimeMs = int.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            if (EdePattern().Match(line) is { Success: true } ede)
            {
                response.ExtendedErrors.Add(ede.Groups[1].Value.Trim());
            }

            if (SectionPattern().Match(line) is { Success: true } header)
            {
                section = header.Groups[1].Value switch
                {
                    "ANSWER" => response.Answer,
                    "AUTHORITY" => response.Authority,
                    _ => null,
                };
                continue;
            }

            if (line.Length == 0 || line.StartsWith(';'))
            {
                section = line.Length == 0 ? null : section;
                continue;
            }

            section?.Add(ParseRecord(line));
        }

        return response;
    }

    public override string ToString() => Text;

    private static DigRecord ParseRecord(string line)
    {
        var parts = line.Split([' ', '\t'], 5, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ttl))
        {
            throw new FormatException($"Not a record line: '{line}'.");
        }

        return new DigRecord(parts[0], ttl, parts[2], parts[3], parts[4].Trim());
    }

    // dig: ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1"; kdig: "...; status: NOERROR; id: 1".
    [GeneratedRegex(@"->>HEADER<<-.*status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    // dig: ";; flags: qr rd ra; QUERY: 1, ..."; kdig: ";; Flags: qr rd ra; QUERY: 1; ...".
    [GeneratedRegex(@"^;; [Ff]lags:([a-z ]*);")]
    private static partial Regex FlagsPattern();

    [GeneratedRegex(@"^;; Query time: (\d+) msec")]
    private static partial Regex QueryTimePattern();

    [GeneratedRegex(@"^;+ EDE: (.*)$")]
    private static partial Regex EdePattern();

    [GeneratedRegex(@"^;; ([A-Z]+) SECTION:")]
    private static partial Regex SectionPattern();
}
