using System.Buffers.Binary;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Scanning;

/// <summary>
/// The hot-path reader: validates framing and names and reports where things are, without
/// allocating or throwing. A query scan yields what a cache lookup needs; a response scan
/// locates every record and TTL so a stored response can be served with patched ID and TTLs.
/// </summary>
public static class MessageScanner
{
    private const int FixedRecordFields = 10; // TYPE, CLASS, TTL, RDLENGTH
    private const int MinQuestionSize = 5;
    private const int MinRecordSize = 11;

    /// <summary>
    /// Scans a query. The first question's name is copied, original case, into <paramref name="nameBuffer"/>
    /// (at least 255 bytes); answer and authority records are validated and skipped; OPT is located.
    /// </summary>
    public static DnsParseError ScanQuery(ReadOnlySpan<byte> message, Span<byte> nameBuffer, out QueryScan scan)
    {
        scan = default;
        var error = ScanStart(message, out var header, out var position);
        if (error != DnsParseError.None)
        {
            return error;
        }

        var nameLength = 0;
        DnsRecordType type = 0;
        DnsClass @class = 0;
        Span<byte> scratch = stackalloc byte[NameWire.MaxNameLength];
        for (var i = 0; i < header.QuestionCount; i++)
        {
            // The first question is kept; the others are only validated.
            error = i == 0
                ? ReadQuestion(message, ref position, nameBuffer, out nameLength, out type, out @class)
                : ReadQuestion(message, ref position, scratch, out _, out _, out _);
            if (error != DnsParseError.None)
            {
                return error;
            }
        }

        var questionEnd = position;
        var edns = default(EdnsScan);
        var records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        for (var i = 0; i < records; i++)
        {
            var section = SectionOf(i, header);
            error = ReadRecord(message, ref position, section, out var record);
            if (error == DnsParseError.None && record.Type == DnsRecordType.OPT)
            {
                error = ReadOpt(message, section, record, ref edns);
            }

            if (error != DnsParseError.None)
            {
                return error;
            }
        }

        scan = new QueryScan(header, nameLength, type, @class, questionEnd, edns);
        return DnsParseError.None;
    }

    /// <summary>
    /// Scans a response: validates every owner name and record frame, fills <paramref name="records"/>
    /// with where each record (OPT excluded) and its TTL sit, and locates OPT. Fails with
    /// <see cref="DnsParseError.TooManyRecords"/> when <paramref name="records"/> is too small.
    /// </summary>
    public static DnsParseError ScanResponse(ReadOnlySpan<byte> message, Span<ScannedRecord> records, out ResponseScan scan)
    {
        scan = default;
        var error = ScanStart(message, out var header, out var position);
        if (error != DnsParseError.None)
        {
            return error;
        }

        var questionOffset = position;
        DnsRecordType questionType = 0;
        DnsClass questionClass = 0;
        Span<byte> scratch = stackalloc byte[NameWire.MaxNameLength];
        for (var i = 0; i < header.QuestionCount; i++)
        {
            error = ReadQuestion(message, ref position, scratch, out _, out var type, out var @class);
            if (error != DnsParseError.None)
            {
                return error;
            }

            if (i == 0)
            {
                (questionType, questionClass) = (type, @class);
            }
        }

        var questionEnd = position;
        var edns = default(EdnsScan);
        var count = 0;
        var total = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        for (var i = 0; i < total; i++)
        {
            var section = SectionOf(i, header);
            error = ReadRecord(message, ref position, section, out var record);
            if (error != DnsParseError.None)
            {
                return error;
            }

            if (record.Type == DnsRecordType.OPT)
            {
                error = ReadOpt(message, section, record, ref edns);
                if (error != DnsParseError.None)
                {
                    return error;
                }

                continue;
            }

            if (count == records.Length)
            {
                return DnsParseError.TooManyRecords;
            }

            records[count++] = record;
        }

        scan = new ResponseScan(header, questionOffset, questionType, questionClass, questionEnd, count, edns);
        return DnsParseError.None;
    }

    private static DnsParseError ScanStart(ReadOnlySpan<byte> message, out DnsHeader header, out int position)
    {
        position = DnsHeader.Size;
        if (!DnsHeader.TryRead(message, out header))
        {
            return DnsParseError.Truncated;
        }

        var records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        return (header.QuestionCount * MinQuestionSize) + (records * MinRecordSize) > message.Length - DnsHeader.Size
            ? DnsParseError.CountExceedsData
            : DnsParseError.None;
    }

    private static DnsParseError ReadQuestion(
        ReadOnlySpan<byte> message, ref int position, Span<byte> nameBuffer, out int nameLength, out DnsRecordType type, out DnsClass @class)
    {
        type = 0;
        @class = 0;
        var error = NameWire.TryDecompress(message, position, nameBuffer, out nameLength, out var next);
        if (error != DnsParseError.None)
        {
            return error;
        }

        if (next + 4 > message.Length)
        {
            return DnsParseError.Truncated;
        }

        type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message[next..]);
        @class = (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(message[(next + 2)..]);
        position = next + 4;
        return DnsParseError.None;
    }

    private static DnsParseError ReadRecord(ReadOnlySpan<byte> message, ref int position, DnsSection section, out ScannedRecord record)
    {
        record = default;
        var nameOffset = position;
        var error = NameWire.TrySkip(message, position, out var next);
        if (error != DnsParseError.None)
        {
            return error;
        }

        if (next + FixedRecordFields > message.Length)
        {
            return DnsParseError.Truncated;
        }

        var fields = message[next..];
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fields);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(fields[2..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
        if (ttl > int.MaxValue && type != DnsRecordType.OPT)
        {
            ttl = 0; // RFC 2181 §8: a TTL with the most significant bit set is treated as zero (OPT's field is flags, not a TTL)
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(fields[8..]);
        var dataOffset = next + FixedRecordFields;
        if (dataOffset + length > message.Length)
        {
            return DnsParseError.Truncated;
        }

        record = new ScannedRecord(section, nameOffset, type, @class, next + 4, ttl, dataOffset, length);
        position = dataOffset + length;
        return DnsParseError.None;
    }

    private static DnsParseError ReadOpt(ReadOnlySpan<byte> message, DnsSection section, in ScannedRecord record, ref EdnsScan edns)
    {
        if (section != DnsSection.Additional || edns.Present || message[record.NameOffset] != 0)
        {
            return DnsParseError.InvalidOpt;
        }

        var ttl = record.Ttl;
        edns = new EdnsScan(
            Present: true,
            UdpPayloadSize: record.Class,
            ExtendedRcode: (byte)(ttl >> 24),
            Version: (byte)(ttl >> 16),
            Flags: (ushort)ttl,
            RecordOffset: record.NameOffset,
            RecordLength: record.DataOffset + record.DataLength - record.NameOffset);
        return DnsParseError.None;
    }

    private static DnsSection SectionOf(int index, in DnsHeader header) =>
        index < header.AnswerCount ? DnsSection.Answer
        : index < header.AnswerCount + header.AuthorityCount ? DnsSection.Authority
        : DnsSection.Additional;
}
