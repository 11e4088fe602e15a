using Resolver.Protocol.Records;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Messages;

public sealed partial class DnsMessage
{
    /// <summary>Writes the message; false when it does not fit in <paramref name="destination"/>.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        var writer = new DnsWriter(destination);
        if (!TryWriteHeader(ref writer, Answers.Count, Authorities.Count, Additionals.Count, truncated: Truncated)
            || !TryWriteQuestions(ref writer)
            || !TryWriteRecords(ref writer, Answers)
            || !TryWriteRecords(ref writer, Authorities)
            || !TryWriteRecords(ref writer, Additionals)
            || (Edns is not null && !Edns.TryWrite(ref writer)))
        {
            return false;
        }

        written = writer.Position;
        return true;
    }

    /// <summary>
    /// Writes the message within <paramref name="sizeLimit"/> bytes (a client's UDP size). When it does
    /// not fit, writes a truncated response instead: TC=1, the question and the OPT record, no records,
    /// so the client retries over TCP (RFC 2181 §9, RFC 7766 §5). False only if even that does not fit.
    /// </summary>
    public bool TryWriteWithinLimit(Span<byte> destination, int sizeLimit, out int written)
    {
        var limited = destination[..Math.Min(destination.Length, sizeLimit)];
        if (TryWrite(limited, out written))
        {
            return true;
        }

        var writer = new DnsWriter(limited);
        if (!TryWriteHeader(ref writer, 0, 0, 0, truncated: true)
            || !TryWriteQuestions(ref writer)
            || (Edns is not null && !Edns.TryWrite(ref writer)))
        {
            written = 0;
            return false;
        }

        written = writer.Position;
        return true;
    }

    private bool TryWriteHeader(ref DnsWriter writer, int answers, int authorities, int additionals, bool truncated)
    {
        if ((int)ResponseCode > 0xF && Edns is null)
        {
            throw new InvalidOperationException($"Response code {ResponseCode} needs an OPT record (set Edns).");
        }

        if (Edns is not null)
        {
            Edns.ExtendedRcode = (byte)((int)ResponseCode >> 4);
        }

        var header = _header;
        header.Truncated = truncated;
        header.ResponseCodeLow = (byte)((int)ResponseCode & 0xF);
        header.QuestionCount = checked((ushort)Questions.Count);
        header.AnswerCount = checked((ushort)answers);
        header.AuthorityCount = checked((ushort)authorities);
        header.AdditionalCount = checked((ushort)(additionals + (Edns is null ? 0 : 1)));
        Span<byte> bytes = stackalloc byte[DnsHeader.Size];
        header.TryWrite(bytes);
        return writer.TryWriteBytes(bytes);
    }

    private bool TryWriteQuestions(ref DnsWriter writer)
    {
        foreach (var question in Questions)
        {
            if (!question.TryWrite(ref writer))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryWriteRecords(ref DnsWriter writer, List<DnsResourceRecord> records)
    {
        foreach (var record in records)
        {
            if (!record.TryWrite(ref writer))
            {
                return false;
            }
        }

        return true;
    }
}
