using System.Net;
using System.Net.Sockets;
using System.Text;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>
/// The zone: A, AAAA, TXT and CNAME records by owner name (case-insensitive). Unknown names and names
/// given to <see cref="SetNxDomain"/> get NXDOMAIN; known names without the type get NODATA. Both carry
/// the SOA <c>test. hostmaster.test. 1 3600 900 604800 {SoaMinimum}</c> owned by <c>test.</c> in authority.
/// </summary>
internal sealed partial class FakeUpstream
{
    private const int MaxCnameChain = 8;
    private const int MaxCharacterString = 255;

    private static readonly DnsName s_soaOwner = DnsName.Parse("test.");
    private static readonly DnsName s_soaMailbox = DnsName.Parse("hostmaster.test.");

    private readonly Lock _zoneLock = new();
    private readonly Dictionary<DnsName, List<DnsResourceRecord>> _zone = [];
    private readonly HashSet<DnsName> _nxDomains = [];
    private uint _soaTtl = 3600;
    private uint _soaMinimum = 300;
    private volatile bool _validating;

    /// <summary>TTL of the SOA record in negative answers; 3600 by default.</summary>
    public uint SoaTtl
    {
        get => Volatile.Read(ref _soaTtl);
        set => Volatile.Write(ref _soaTtl, value);
    }

    /// <summary>
    /// Answers as a validating resolver for a signed zone: AD=1 when the query asks for it with AD or DO
    /// (RFC 6840 §5.7). Off by default (AD=0, as an authoritative server or an unsigned zone).
    /// </summary>
    public bool Validating
    {
        get => _validating;
        set => _validating = value;
    }

    /// <summary>MINIMUM field of the SOA record in negative answers; 300 by default.</summary>
    public uint SoaMinimum
    {
        get => Volatile.Read(ref _soaMinimum);
        set => Volatile.Write(ref _soaMinimum, value);
    }

    /// <summary>
    /// Adds one record; <paramref name="data"/> is in presentation form: "192.0.2.1", "2001:db8::1",
    /// "target.example." or TXT strings (<c>"a b" c</c>; a string over 255 bytes is split into several).
    /// </summary>
    public void AddRecord(string name, string type, string data, uint ttl = 300)
    {
        ArgumentNullException.ThrowIfNull(data);
        var owner = DnsName.Parse(name);
        var record = new DnsResourceRecord(owner, ttl, ParseData(ParseType(type), data));
        lock (_zoneLock)
        {
            _nxDomains.Remove(owner);
            if (!_zone.TryGetValue(owner, out var records))
            {
                records = [];
                _zone[owner] = records;
            }

            records.Add(record);
        }
    }

    /// <summary>Removes every record of <paramref name="name"/> so that it answers NXDOMAIN.</summary>
    public void SetNxDomain(string name)
    {
        var owner = DnsName.Parse(name);
        lock (_zoneLock)
        {
            _zone.Remove(owner);
            _nxDomains.Add(owner);
        }
    }

    /// <summary>The answer from the zone, following CNAMEs that stay inside it.</summary>
    public DnsMessage BuildZoneAnswer(DnsMessage query)
    {
        if (query.Questions.Count != 1)
        {
            return CreateResponse(query, DnsResponseCode.FormErr);
        }

        var response = CreateResponse(query, DnsResponseCode.NoError);
        response.AuthenticData = Validating && (query.AuthenticData || query.Edns?.DnssecOk == true);
        var question = query.Questions[0];
        var name = question.Name;
        lock (_zoneLock)
        {
            for (var hop = 0; hop <= MaxCnameChain; hop++)
            {
                if (_nxDomains.Contains(name) || !_zone.TryGetValue(name, out var records))
                {
                    response.ResponseCode = DnsResponseCode.NXDomain;
                    response.Authorities.Add(CreateSoa());
                    return response;
                }

                var matching = records.Where(r => r.Type == question.Type).ToList();
                if (matching.Count > 0)
                {
                    response.Answers.AddRange(matching);
                    return response;
                }

                var cname = records.FirstOrDefault(r => r.Type == DnsRecordType.CNAME);
                if (cname is null)
                {
                    break;
                }

                response.Answers.Add(cname);
                name = ((CnameData)cname.Data).Target;
            }
        }

        response.Authorities.Add(CreateSoa());
        return response;
    }

    private DnsResourceRecord CreateSoa() =>
        new(s_soaOwner, SoaTtl, new SoaData(s_soaOwner, s_soaMailbox, 1, 3600, 900, 604800, SoaMinimum));

    private static DnsRecordData ParseData(DnsRecordType type, string data) => type switch
    {
        DnsRecordType.A => new AData(ParseAddress(data, AddressFamily.InterNetwork)),
        DnsRecordType.AAAA => new AaaaData(ParseAddress(data, AddressFamily.InterNetworkV6)),
        DnsRecordType.CNAME => new CnameData(DnsName.Parse(data.Trim())),
        DnsRecordType.TXT => new TxtData(ParseTxt(data)),
        _ => throw new ArgumentException($"The fake upstream serves A, AAAA, TXT and CNAME, not {type}.", nameof(type)),
    };

    private static IPAddress ParseAddress(string data, AddressFamily family)
    {
        if (!IPAddress.TryParse(data.Trim(), out var address) || address.AddressFamily != family)
        {
            throw new ArgumentException($"'{data}' is not an {family} address.", nameof(data));
        }

        return address;
    }

    /// <summary>Quoted strings (with <c>\"</c> and <c>\\</c>) or bare words; each split into 255-byte pieces.</summary>
    private static List<byte[]> ParseTxt(string data)
    {
        var strings = new List<byte[]>();
        var current = new StringBuilder();
        var index = 0;
        while (index < data.Length)
        {
            if (char.IsWhiteSpace(data[index]))
            {
                index++;
                continue;
            }

            current.Clear();
            if (data[index] == '"')
            {
                index++;
                while (index < data.Length && data[index] != '"')
                {
                    if (data[index] == '\\' && index + 1 < data.Length)
                    {
                        index++;
                    }

                    current.Append(data[index++]);
                }

                index++;
            }
            else
            {
                while (index < data.Length && !char.IsWhiteSpace(data[index]))
                {
                    current.Append(data[index++]);
                }
            }

            var bytes = Encoding.UTF8.GetBytes(current.ToString());
            if (bytes.Length == 0)
            {
                strings.Add([]);
            }

            for (var offset = 0; offset < bytes.Length; offset += MaxCharacterString)
            {
                strings.Add(bytes.AsSpan(offset, Math.Min(MaxCharacterString, bytes.Length - offset)).ToArray());
            }
        }

        return strings.Count > 0 ? strings : [[]];
    }
}
