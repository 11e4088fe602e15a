using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Pipeline;

/// <summary>
/// Answers that never leave the machine: localhost. and everything below it (RFC 6761 §6.3: loopback
/// for address queries, NODATA otherwise), and static records from configuration (reloads replace them whole).
/// </summary>
public sealed class LocalZone
{
    private static readonly DnsName s_localhost = DnsName.Parse("localhost.");
    private static readonly DnsResourceRecord s_localhostSoa = new(
        s_localhost, 10800, new SoaData(s_localhost, DnsName.Parse("nobody.invalid."), 1, 3600, 1200, 604800, 10800));

    private volatile Dictionary<DnsName, List<DnsResourceRecord>> _records;

    public LocalZone(IOptionsMonitor<DnsServerOptions> options)
        : this(options.CurrentValue.LocalRecords)
    {
        options.OnChange(o => _records = Load(o.LocalRecords));
    }

    internal LocalZone(IEnumerable<LocalRecordOptions> records)
    {
        _records = Load(records);
    }

    private static Dictionary<DnsName, List<DnsResourceRecord>> Load(IEnumerable<LocalRecordOptions> records)
    {
        var zone = new Dictionary<DnsName, List<DnsResourceRecord>>();
        foreach (var record in records)
        {
            var parsed = Parse(record);
            if (!zone.TryGetValue(parsed.Name, out var list))
            {
                zone[parsed.Name] = list = [];
            }

            list.Add(parsed);
        }

        return zone;
    }

    /// <summary>
    /// Answers for a local name given as wire bytes (null when it is not local). Decides on the bytes
    /// first, so the usual case (no local records, not localhost) costs no allocation.
    /// </summary>
    public LocalAnswer? TryAnswer(ReadOnlySpan<byte> wireName, DnsRecordType type) =>
        _records.Count == 0 && !NameWire.IsAtOrBelow(wireName, s_localhost.Wire) ? null : TryAnswer(DnsName.FromWire(wireName), type);

    /// <summary>Answers for a local name (null when the name is not local): records, and the authority for NODATA.</summary>
    public LocalAnswer? TryAnswer(DnsName name, DnsRecordType type)
    {
        if (_records.TryGetValue(name, out var records))
        {
            var matching = records.Where(r => r.Type == type || r.Type == DnsRecordType.CNAME || type == DnsRecordType.ANY).ToList();
            return new LocalAnswer(matching, null);
        }

        if (!name.IsSubdomainOf(s_localhost))
        {
            return null;
        }

        DnsRecordData? address = type switch
        {
            DnsRecordType.A => new AData(IPAddress.Loopback),
            DnsRecordType.AAAA => new AaaaData(IPAddress.IPv6Loopback),
            _ => null,
        };
        return address is null
            ? new LocalAnswer([], s_localhostSoa)
            : new LocalAnswer([new DnsResourceRecord(name, 10800, address)], null);
    }

    /// <summary>Validates one configured record; the message names what is wrong.</summary>
    public static DnsResourceRecord Parse(LocalRecordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!DnsName.TryParse(options.Name, out var name))
        {
            throw new FormatException($"'{options.Name}' is not a valid domain name.");
        }

        DnsRecordData data = options.Type.ToUpperInvariant() switch
        {
            "A" when IPAddress.TryParse(options.Value, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork => new AData(v4),
            "AAAA" when IPAddress.TryParse(options.Value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 => new AaaaData(v6),
            "CNAME" when DnsName.TryParse(options.Value, out var target) => new CnameData(target),
            "PTR" when DnsName.TryParse(options.Value, out var pointer) => new PtrData(pointer),
            "TXT" when options.Value.Length <= 255 => new TxtData(options.Value),
            _ => throw new FormatException($"'{options.Value}' is not a valid value for a local {options.Type} record (A, AAAA, CNAME, PTR or TXT)."),
        };
        return new DnsResourceRecord(name, options.Ttl, data);
    }
}

/// <summary>A local answer: the records (empty for NODATA) and an SOA for the authority section, if any.</summary>
public sealed record LocalAnswer(IReadOnlyList<DnsResourceRecord> Records, DnsResourceRecord? Authority);
