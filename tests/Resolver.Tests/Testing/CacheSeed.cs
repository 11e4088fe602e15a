using System.Net;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Tests.Testing;

/// <summary>
/// Cache entries as a validating upstream would have sent them (AD=1): an A/AAAA answer, or a negative
/// answer with its parent zone's SOA (an NXDOMAIN then covers the names below it under the default Cache:NxDomainCut).
/// </summary>
internal static class CacheSeed
{
    public static void Store(DnsCache cache, string name, DnsRecordType type, DnsResponseCode code, uint ttl, string upstream)
    {
        var owner = DnsName.Parse(name);
        var response = new DnsMessage { Id = 1, IsResponse = true, ResponseCode = code, AuthenticData = true, Edns = new EdnsRecord() };
        response.Questions.Add(new DnsQuestion(owner, type));
        if (code == DnsResponseCode.NoError && type is DnsRecordType.A or DnsRecordType.AAAA)
        {
            DnsRecordData data = type == DnsRecordType.A ? new AData(IPAddress.Parse("192.0.2.1")) : new AaaaData(IPAddress.Parse("2001:db8::1"));
            response.Answers.Add(new DnsResourceRecord(owner, ttl, data));
        }
        else
        {
            var zone = owner.IsRoot ? owner : owner.Parent(); // a zone above the name, as RFC 2308 has it (one elsewhere would be scrubbed)
            response.Authorities.Add(new DnsResourceRecord(zone, ttl, new SoaData(DnsName.Parse("ns.example.com"), DnsName.Parse("hostmaster.example.com"), 1, 3600, 900, 604800, ttl)));
        }

        var buffer = new byte[1024];
        response.TryWrite(buffer, out var written);
        var key = CacheKey.Create(owner.Wire, type, DnsClass.IN, CacheFlags.None);
        var entry = CacheEntryFactory.Create(key, buffer.AsSpan(0, written), upstream, cache.Options, cache.Time.GetTimestamp())!;
        if (!cache.Store(entry, cache.Generation))
        {
            throw new InvalidOperationException($"{name} was not stored.");
        }
    }
}
