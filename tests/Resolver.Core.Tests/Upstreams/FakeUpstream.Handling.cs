using System.Buffers.Binary;
using System.Net;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>From query bytes to reply bytes: bookkeeping, <see cref="Behavior"/>, <see cref="Delay"/>, size limits.</summary>
internal sealed partial class FakeUpstream
{
    private const int ClassicUdpSize = 512;
    private const int GarbageLength = 20;
    private const long FlapMilliseconds = 2000;

    private static readonly DnsName s_evilName = DnsName.Parse("evil.test.");

    /// <summary>A query's wire bytes: RD set, one question, and an OPT record (UDP size 1232) when <paramref name="edns"/>.</summary>
    public static byte[] BuildQuery(string name, string type, ushort id = 0x1234, bool edns = true)
    {
        var query = new DnsMessage { Id = id, RecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DnsName.Parse(name), ParseType(type)));
        if (edns)
        {
            query.Edns = new EdnsRecord();
        }

        var buffer = new byte[MaxMessageSize];
        if (!query.TryWrite(buffer, out var written))
        {
            throw new InvalidOperationException("The query does not fit in a DNS message.");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>The reply to one received message, or null to send nothing. Never throws except on stopping.</summary>
    private async Task<byte[]?> HandleAsync(byte[] data, IPEndPoint from, bool overTcp, CancellationToken stopping)
    {
        if (data.Length >= 2)
        {
            _received.Enqueue((from, BinaryPrimitives.ReadUInt16BigEndian(data)));
        }

        if (!DnsMessage.TryParse(data, out var query, out _))
        {
            return null;
        }

        foreach (var question in query.Questions)
        {
            _receivedQuestions.Enqueue(question);
        }

        var behavior = Behavior;
        var responder = Responder;
        if (responder is null && IsSilent(behavior, overTcp))
        {
            return null;
        }

        var delay = Delay + (query.Questions.Count == 1 && NameDelays.TryGetValue(query.Questions[0].Name.ToString(), out var extra) ? extra : TimeSpan.Zero);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, stopping).ConfigureAwait(false);
        }

        if (responder is null && behavior == FakeBehavior.Garbage)
        {
            var garbage = new byte[GarbageLength];
            Random.Shared.NextBytes(garbage);
            return garbage;
        }

        try
        {
            var response = responder is null ? BuildResponse(query, behavior, overTcp) : responder(query);
            var bytes = response is null ? null : Serialize(response, query, overTcp || IgnoresUdpSize);
            return responder is null && behavior == FakeBehavior.CutShort && bytes is not null
                ? bytes[..(DnsHeader.Size + query.Questions[0].Name.Wire.Length + 4)]
                : bytes;
        }
#pragma warning disable CA1031 // A fake server drops what it cannot answer (a throwing Responder included) and keeps serving.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Whether this message goes unanswered: dropped, lost (<see cref="FakeBehavior.Lossy"/>), or in a silent spell.</summary>
    private bool IsSilent(FakeBehavior behavior, bool overTcp) => behavior switch
    {
        FakeBehavior.Drop => true,
        FakeBehavior.Lossy => !overTcp && Random.Shared.NextDouble() < 0.8,
        FakeBehavior.Flapping => (_clock.ElapsedMilliseconds / FlapMilliseconds) % 2 == 1,
        _ => false,
    };

    private DnsMessage BuildResponse(DnsMessage query, FakeBehavior behavior, bool overTcp)
    {
        var response = behavior switch
        {
            FakeBehavior.ServFail => CreateResponse(query, DnsResponseCode.ServFail),
            FakeBehavior.Refused => CreateResponse(query, DnsResponseCode.Refused),
            _ => BuildZoneAnswer(query),
        };

        switch (behavior)
        {
            case FakeBehavior.WrongId:
                response.Id = unchecked((ushort)(query.Id + 1));
                break;
            case FakeBehavior.WrongQuestion:
                for (var i = 0; i < response.Questions.Count; i++)
                {
                    response.Questions[i] = response.Questions[i] with { Name = s_evilName };
                }

                break;
            case FakeBehavior.Truncate or FakeBehavior.TruncateThenReset when !overTcp:
            case FakeBehavior.Lossy when !overTcp && Random.Shared.Next(4) == 0:
                response.Truncated = true;
                response.Answers.Clear();
                response.Authorities.Clear();
                response.Additionals.Clear();
                break;
        }

        return response;
    }

    /// <summary>QR=1, RA=1, the query's ID, RD and question (exact case); an OPT record if the query had one.</summary>
    public static DnsMessage CreateResponse(DnsMessage query, DnsResponseCode responseCode)
    {
        var response = DnsMessage.CreateResponse(query, responseCode);
        response.RecursionAvailable = true;
        if (query.Edns is not null)
        {
            response.Edns = new EdnsRecord { UdpPayloadSize = EdnsRecord.DefaultPayloadSize };
        }

        return response;
    }

    /// <summary>TCP: the whole message. UDP: within the query's advertised size (512 without EDNS), else TC=1 and no records.</summary>
    private static byte[]? Serialize(DnsMessage response, DnsMessage query, bool overTcp)
    {
        var buffer = new byte[MaxMessageSize];
        int written;
        if (overTcp)
        {
            if (!response.TryWrite(buffer, out written))
            {
                return null;
            }
        }
        else
        {
            var limit = query.Edns is null ? ClassicUdpSize : Math.Max(ClassicUdpSize, (int)query.Edns.UdpPayloadSize);
            if (!response.TryWriteWithinLimit(buffer, limit, out written))
            {
                return null;
            }
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    private static DnsRecordType ParseType(string type) =>
        Mnemonics.TryParseType(type, out var parsed)
            ? parsed.Value
            : throw new ArgumentException($"Unknown record type '{type}'.", nameof(type));
}
