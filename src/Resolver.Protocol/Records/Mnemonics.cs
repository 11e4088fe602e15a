using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Resolver.Protocol.Messages;

namespace Resolver.Protocol.Records;

/// <summary>Type and class mnemonics both ways, with the RFC 3597 <c>TYPEnnn</c>/<c>CLASSnnn</c> forms for the rest; RCODE names one way.</summary>
public static class Mnemonics
{
    private static readonly Dictionary<DnsRecordType, string> s_typeNames =
        Enum.GetValues<DnsRecordType>().ToDictionary(t => t, t => t.ToString());

    private static readonly Dictionary<string, DnsRecordType> s_typesByName =
        s_typeNames.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    public static string ToText(DnsRecordType type) =>
        s_typeNames.TryGetValue(type, out var name) ? name : "TYPE" + ((ushort)type).ToString(CultureInfo.InvariantCulture);

    public static string ToText(DnsClass @class) =>
        Enum.IsDefined(@class) ? @class.ToString() : "CLASS" + ((ushort)@class).ToString(CultureInfo.InvariantCulture);

    /// <summary>An RCODE as dig, the logs, the metrics and the admin API show it: "NOERROR", "NXDOMAIN", "SERVFAIL"; a number for one without a name.</summary>
    public static string ToText(DnsResponseCode code) => code.ToString().ToUpperInvariant();

    /// <summary>Parses "AAAA", "aaaa" or "TYPE28".</summary>
    public static bool TryParseType(string? text, [NotNullWhen(true)] out DnsRecordType? type)
    {
        type = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (s_typesByName.TryGetValue(text, out var known))
        {
            type = known;
            return true;
        }

        if (text.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            type = (DnsRecordType)value;
            return true;
        }

        return false;
    }
}
