using System.Buffers.Binary;
using Resolver.Core.Cache;
using Resolver.Protocol.Edns;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;

namespace Resolver.Core.Pipeline;

/// <summary>
/// Writes answers in wire form. A cached entry is copied and patched in place (ID, flags, the client's
/// question bytes with their case, re-aged TTLs) and gets its own OPT; nothing is re-encoded. When the
/// answer does not fit the client's UDP size, a TC=1 response with the question and OPT goes instead.
/// </summary>
internal static class ResponseWriter
{
    private const int OptFixedLength = 11;
    private const int EdeOptionLength = 6; // code, length, info code
    private const ushort QrAaTcRdRaAdCdMask = 0x8000 | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0010;

    /// <summary>
    /// Whether the entry can be patched for this query: its question has the same length, so every
    /// compression pointer still lands. False for an NXDOMAIN cached at an ancestor (RFC 8020).
    /// </summary>
    public static bool CanPatch(CacheEntry entry, in QueryScan scan) => entry.Key.Name.Length == scan.NameLength;

    /// <summary>Writes a cached answer for <paramref name="query"/> (see <see cref="CanPatch"/>); <paramref name="staleTtl"/> set means serve stale (RFC 8767).</summary>
    public static int WriteEntry(
        CacheEntry entry, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, int limit, ushort advertisedSize, TimeProvider time, uint? staleTtl)
    {
        var stored = entry.Response;
        var ede = staleTtl is null ? (ExtendedErrorCode?)null
            : entry.Kind == CacheEntryKind.NxDomain ? ExtendedErrorCode.StaleNXDomainAnswer : ExtendedErrorCode.StaleAnswer;
        var optLength = scan.Edns.Present ? OptFixedLength + (ede is null ? 0 : EdeOptionLength) : 0;
        if (stored.Length + optLength > Math.Min(limit, output.Length))
        {
            return WriteTruncated(stored, query, scan, output, advertisedSize);
        }

        stored.CopyTo(output);
        PatchHeader(output, scan);
        query[DnsHeader.Size..scan.QuestionEnd].CopyTo(output[DnsHeader.Size..]);

        var age = (long)entry.Age(time).TotalSeconds;
        foreach (var slot in entry.TtlSlots)
        {
            var ttl = staleTtl ?? (slot.Ttl > age ? (uint)(slot.Ttl - age) : 0);
            BinaryPrimitives.WriteUInt32BigEndian(output[slot.Offset..], ttl);
        }

        var length = stored.Length;
        if (scan.Edns.Present)
        {
            length += WriteOpt(output[length..], scan, advertisedSize, 0, ede);
            IncrementAdditional(output);
        }

        return length;
    }

    /// <summary>An answer with no records: REFUSED, SERVFAIL, NOTIMP, FORMERR with a question, BADVERS.</summary>
    public static int WriteError(
        ReadOnlySpan<byte> query, in QueryScan scan, DnsResponseCode code, Span<byte> output, ushort advertisedSize, ExtendedErrorCode? ede = null) =>
        WriteWithoutRecords(EmptyResponseHeader(scan, code, truncated: false), query, scan, output, advertisedSize, (byte)((int)code >> 4), ede);

    /// <summary>An empty TC=1 answer, which sends the client to TCP: what a rate-limited client gets now and then (a slip).</summary>
    public static int WriteRetryOverTcp(ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, ushort advertisedSize) =>
        WriteWithoutRecords(EmptyResponseHeader(scan, DnsResponseCode.NoError, truncated: true), query, scan, output, advertisedSize, extendedRcode: 0, ede: null);

    /// <summary>FORMERR for a query whose header could be read but the rest could not; nothing for garbage or responses.</summary>
    public static int WriteFormatError(ReadOnlySpan<byte> query, Span<byte> output)
    {
        if (!DnsHeader.TryRead(query, out var header) || header.IsResponse)
        {
            return 0;
        }

        var response = new DnsHeader { Id = header.Id, Flags = header.Flags, IsResponse = true, RecursionAvailable = true };
        response.ResponseCodeLow = (byte)DnsResponseCode.FormErr;
        response.TryWrite(output);
        return DnsHeader.Size;
    }

    /// <summary>Writes a message built off the hot path (local answers, synthesized negatives) within the client's limit.</summary>
    public static int WriteMessage(DnsMessage message, Span<byte> output, int limit) =>
        message.TryWriteWithinLimit(output, limit, out var written) ? written : 0;

    private static int WriteTruncated(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, ushort advertisedSize)
    {
        stored[..DnsHeader.Size].CopyTo(output);
        PatchHeader(output, scan);
        DnsHeader.TryRead(output, out var header);
        header.Truncated = true;
        return WriteWithoutRecords(header, query, scan, output, advertisedSize, extendedRcode: 0, ede: null);
    }

    /// <summary>
    /// <paramref name="header"/> with the counts of a message without records, the query's question (when it
    /// has exactly one) and, when the query had EDNS, an OPT: the shape of errors and truncated answers.
    /// </summary>
    private static int WriteWithoutRecords(
        DnsHeader header, ReadOnlySpan<byte> query, in QueryScan scan, Span<byte> output, ushort advertisedSize, byte extendedRcode, ExtendedErrorCode? ede)
    {
        var questionEnd = scan.Header.QuestionCount == 1 ? scan.QuestionEnd : DnsHeader.Size;
        query[DnsHeader.Size..questionEnd].CopyTo(output[DnsHeader.Size..]);
        header.QuestionCount = (ushort)(questionEnd == DnsHeader.Size ? 0 : 1);
        header.AnswerCount = 0;
        header.AuthorityCount = 0;
        header.AdditionalCount = (ushort)(scan.Edns.Present ? 1 : 0);
        header.TryWrite(output);
        var length = questionEnd;
        if (scan.Edns.Present)
        {
            length += WriteOpt(output[length..], scan, advertisedSize, extendedRcode, ede);
        }

        return length;
    }

    private static DnsHeader EmptyResponseHeader(in QueryScan scan, DnsResponseCode code, bool truncated)
    {
        var header = scan.Header;
        header.IsResponse = true;
        header.AuthoritativeAnswer = false;
        header.Truncated = truncated;
        header.RecursionAvailable = true;
        header.AuthenticData = false;
        header.ResponseCodeLow = (byte)((int)code & 0xF);
        return header;
    }

    /// <summary>ID, RD and CD from the query; QR and RA set; AA and TC clear (a resolver is not authoritative).</summary>
    private static void PatchHeader(Span<byte> output, in QueryScan scan)
    {
        DnsHeader.TryRead(output, out var header);
        header.Flags = (ushort)(header.Flags & ~QrAaTcRdRaAdCdMask);
        header.Id = scan.Header.Id;
        header.IsResponse = true;
        header.RecursionAvailable = true;
        header.RecursionDesired = scan.Header.RecursionDesired;
        header.CheckingDisabled = scan.Header.CheckingDisabled;
        header.TryWrite(output);
    }

    private static int WriteOpt(Span<byte> output, in QueryScan scan, ushort advertisedSize, byte extendedRcode, ExtendedErrorCode? ede)
    {
        output[0] = 0; // root owner
        BinaryPrimitives.WriteUInt16BigEndian(output[1..], (ushort)DnsRecordType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(output[3..], advertisedSize);
        output[5] = extendedRcode;
        output[6] = 0; // version
        BinaryPrimitives.WriteUInt16BigEndian(output[7..], (ushort)(scan.Edns.Flags & 0x8000)); // echo DO only
        if (ede is null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output[9..], 0);
            return OptFixedLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(output[9..], EdeOptionLength);
        BinaryPrimitives.WriteUInt16BigEndian(output[11..], (ushort)EdnsOptionCode.ExtendedError);
        BinaryPrimitives.WriteUInt16BigEndian(output[13..], 2);
        BinaryPrimitives.WriteUInt16BigEndian(output[15..], (ushort)ede.Value);
        return OptFixedLength + EdeOptionLength;
    }

    private static void IncrementAdditional(Span<byte> output) =>
        BinaryPrimitives.WriteUInt16BigEndian(output[10..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(output[10..]) + 1));
}
