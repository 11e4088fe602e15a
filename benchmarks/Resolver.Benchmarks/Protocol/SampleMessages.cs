using System.Net;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Benchmarks.Protocol;

/// <summary>A typical query and a typical response: 6 A answers, 2 NS, 2 glue, OPT — names compressed.</summary>
internal static class SampleMessages
{
    public static DnsMessage Response { get; } = BuildResponse();

    public static byte[] QueryBytes { get; } = Write(BuildQuery());

    public static byte[] ResponseBytes { get; } = Write(Response);

    private static DnsMessage BuildQuery()
    {
        var query = new DnsMessage { Id = 0xBEEF, RecursionDesired = true, Edns = new EdnsRecord() };
        query.Questions.Add(new DnsQuestion(DnsName.Parse("www.example.com"), DnsRecordType.A));
        return query;
    }

    private static DnsMessage BuildResponse()
    {
        var name = DnsName.Parse("www.example.com");
        var zone = DnsName.Parse("example.com");
        var response = DnsMessage.CreateResponse(BuildQuery());
        response.RecursionAvailable = true;
        response.Edns = new EdnsRecord();
        for (var i = 1; i <= 6; i++)
        {
            response.Answers.Add(new DnsResourceRecord(name, 300, new AData(new IPAddress([192, 0, 2, (byte)i]))));
        }

        for (var i = 1; i <= 2; i++)
        {
            var server = DnsName.Parse($"ns{i}.example.com");
            response.Authorities.Add(new DnsResourceRecord(zone, 3600, new NsData(server)));
            response.Additionals.Add(new DnsResourceRecord(server, 3600, new AData(new IPAddress([198, 51, 100, (byte)i]))));
        }

        return response;
    }

    private static byte[] Write(DnsMessage message)
    {
        var buffer = new byte[1232];
        if (!message.TryWrite(buffer, out var written))
        {
            throw new InvalidOperationException("Sample message does not fit.");
        }

        return buffer[..written];
    }
}
