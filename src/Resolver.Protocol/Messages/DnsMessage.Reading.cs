using System.Diagnostics.CodeAnalysis;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Messages;

public sealed partial class DnsMessage
{
    private const int MinQuestionSize = 5;
    private const int MinRecordSize = 11;

    /// <summary>Parses a whole message; malformed input is an error result, never an exception.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out DnsMessage? message, out DnsParseError error)
    {
        try
        {
            message = Parse(data);
            error = DnsParseError.None;
            return true;
        }
        catch (DnsFormatException e)
        {
            message = null;
            error = e.Error;
            return false;
        }
    }

    /// <summary>Parses a whole message; throws <see cref="DnsFormatException"/> naming what was wrong.</summary>
    public static DnsMessage Parse(ReadOnlySpan<byte> data)
    {
        if (!DnsHeader.TryRead(data, out var header))
        {
            ThrowHelper.ThrowFormat(DnsParseError.Truncated);
        }

        var records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        if ((header.QuestionCount * MinQuestionSize) + (records * MinRecordSize) > data.Length - DnsHeader.Size)
        {
            ThrowHelper.ThrowFormat(DnsParseError.CountExceedsData);
        }

        var message = new DnsMessage { _header = header };
        var reader = new DnsReader(data, DnsHeader.Size);
        for (var i = 0; i < header.QuestionCount; i++)
        {
            message.Questions.Add(DnsQuestion.Read(ref reader));
        }

        ReadSection(ref reader, header.AnswerCount, message.Answers, null);
        ReadSection(ref reader, header.AuthorityCount, message.Authorities, null);
        ReadSection(ref reader, header.AdditionalCount, message.Additionals, message);

        var high = message.Edns?.ExtendedRcode ?? 0;
        message.ResponseCode = (DnsResponseCode)((high << 4) | header.ResponseCodeLow);
        return message;
    }

    /// <summary>Reads one section; only the additional section (<paramref name="owner"/> set) may hold the single OPT.</summary>
    private static void ReadSection(ref DnsReader reader, int count, List<DnsResourceRecord> section, DnsMessage? owner)
    {
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadName();
            var type = (DnsRecordType)reader.ReadUInt16();
            if (type != DnsRecordType.OPT)
            {
                section.Add(DnsResourceRecord.Read(name, type, ref reader));
                continue;
            }

            if (owner is null || owner.Edns is not null || !name.IsRoot)
            {
                ThrowHelper.ThrowFormat(DnsParseError.InvalidOpt);
            }

            owner.Edns = EdnsRecord.Read(ref reader);
        }
    }
}
