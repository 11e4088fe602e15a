using System.Net;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Benchmarks.Cache;

/// <summary>Cache entries as an upstream's answers make them: A records for a name, ~85 bytes on the wire for one.</summary>
internal static class CachedAnswers
{
    public static CacheEntry A(string name, string upstream = "127.0.0.1:53/udp", int addresses = 1, CacheOptions? options = null)
    {
        var owner = DnsName.Parse(name);
        var response = new DnsMessage { IsResponse = true, RecursionDesired = true, RecursionAvailable = true, Edns = new EdnsRecord() };
        response.Questions.Add(new DnsQuestion(owner, DnsRecordType.A));
        for (var i = 1; i <= addresses; i++)
        {
            response.Answers.Add(new DnsResourceRecord(owner, 3600, new AData(new IPAddress([192, 0, 2, (byte)i]))));
        }

        var buffer = new byte[512];
        response.TryWrite(buffer, out var written);
        var key = CacheKey.Create(owner.Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
        return CacheEntryFactory.Create(key, buffer.AsSpan(0, written), upstream, options ?? new CacheOptions(), TimeProvider.System.GetTimestamp())!;
    }
}
