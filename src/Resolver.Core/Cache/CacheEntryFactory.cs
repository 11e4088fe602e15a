using System.Buffers;
using System.Buffers.Binary;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Cache;

/// <summary>
/// Turns a validated upstream response into a cache entry: drops answer records that do not belong to the question or
/// its alias chain (<see cref="AnswerChain"/>), classifies it (RFC 2308), computes the entry TTL (minimum of the answer,
/// clamped; negative from the SOA, capped), strips the OPT record and rewrites each record's TTL to at most the entry
/// TTL. A TTL with its top bit set counts as 0 (RFC 2181 §8; the scanner reads it so).
/// </summary>
public static class CacheEntryFactory
{
    private const int MaxRecords = 512;

    /// <summary>
    /// Builds the entry for an upstream answer (NOERROR or NXDOMAIN); null when it cannot be scanned.
    /// An answer that must not be cached (a negative one without SOA, RFC 2308 §5) gets TTL 0.
    /// </summary>
    public static CacheEntry? Create(CacheKey key, ReadOnlySpan<byte> response, string? upstream, CacheOptions options, long now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        var records = ArrayPool<ScannedRecord>.Shared.Rent(MaxRecords); // 16 KB: pooled, not one per upstream answer
        try
        {
            return Create(key, response, upstream, options, now, records.AsSpan(0, MaxRecords));
        }
        finally
        {
            ArrayPool<ScannedRecord>.Shared.Return(records);
        }
    }

    private static CacheEntry? Create(CacheKey key, ReadOnlySpan<byte> response, string? upstream, CacheOptions options, long now, Span<ScannedRecord> records, bool scrubbed = false)
    {
        if (MessageScanner.ScanResponse(response, records, out var scan) != DnsParseError.None)
        {
            return null;
        }

        // The question as the response states it (the upstream client has matched it to the one asked).
        Span<byte> question = stackalloc byte[NameWire.MaxNameLength];
        if (scan.Header.QuestionCount != 1 || NameWire.TryDecompress(response, scan.QuestionOffset, question, out var questionLength, out _) != DnsParseError.None)
        {
            return null;
        }

        Span<bool> related = stackalloc bool[scan.RecordCount];
        if (!AnswerChain.Mark(response, records[..scan.RecordCount], question[..questionLength], related))
        {
            // Records for other names: re-encoded without them (rare), and read again; a second pass that still finds some gives up.
            return !scrubbed && WithoutUnrelated(response, related.ToArray()) is { } kept ? Create(key, kept, upstream, options, now, records, scrubbed: true) : null;
        }

        if (scan.Edns.Present && scan.Edns.RecordOffset + scan.Edns.RecordLength != response.Length)
        {
            // OPT is not last (RFC 6891 allows it anywhere in the additional section): cutting it out in
            // place would break compression pointers behind it, so re-encode without it first.
            return WithoutOpt(response) is { } withoutOpt ? Create(key, withoutOpt, upstream, options, now) : null;
        }

        var scanned = records[..scan.RecordCount];
        var chain = FollowsAlias(scanned, key.Type);
        CacheEntryKind kind;
        uint ttl;
        switch (scan.ResponseCode)
        {
            case DnsResponseCode.NoError when HasAnswer(scanned, key.Type) || chain:
                kind = CacheEntryKind.Positive;
                ttl = Clamp(MinTtl(scanned, DnsSection.Answer), options.MinTtl, options.MaxTtl);
                if (!HasAnswer(scanned, key.Type))
                {
                    // A CNAME chain ending in NODATA: the missing part is negative, so the negative cap applies.
                    ttl = Math.Min(ttl, NegativeTtl(response, scanned, options));
                }

                break;
            case DnsResponseCode.NoError:
            case DnsResponseCode.NXDomain:
                kind = scan.ResponseCode == DnsResponseCode.NXDomain ? CacheEntryKind.NxDomain : CacheEntryKind.NoData;
                ttl = NegativeTtl(response, scanned, options);
                if (chain)
                {
                    ttl = Math.Min(ttl, MinTtl(scanned, DnsSection.Answer));
                }

                break;
            default:
                return null;
        }

        // An NXDOMAIN is about the last name of a CNAME chain (RFC 6604 §3), not the name asked:
        // only a direct NXDOMAIN says the asked name and its subtree do not exist.
        var nameError = kind == CacheEntryKind.NxDomain && !chain;
        var entryKey = nameError ? key.ForNameError() : key;
        var floor = kind == CacheEntryKind.Positive ? Math.Min((uint)options.MinTtl.TotalSeconds, ttl) : 0;
        var cuts = nameError && CutsSubtree(options.NxDomainCut, scan.Header);
        return Build(entryKey, kind, response, scan, scanned, ttl, floor, now, upstream, cuts);
    }

    /// <summary>A SERVFAIL to remember briefly, built from the client's question.</summary>
    public static CacheEntry CreateServFail(CacheKey key, ReadOnlySpan<byte> question, CacheOptions options, long now)
    {
        Span<byte> response = stackalloc byte[DnsHeader.Size + question.Length];
        var header = new DnsHeader { IsResponse = true, RecursionDesired = true, RecursionAvailable = true, QuestionCount = 1 };
        header.ResponseCodeLow = (byte)DnsResponseCode.ServFail;
        header.TryWrite(response);
        question.CopyTo(response[DnsHeader.Size..]);
        return CacheEntry.Create(key, CacheEntryKind.ServFail, response, [], (uint)options.ServFailTtl.TotalSeconds, now, upstream: null);
    }

    /// <summary>Builds the entry: OPT cut out (it is last), each TTL set to within [floor, ttl] (MinTtl reaches clients too).</summary>
    private static CacheEntry? Build(
        CacheKey key, CacheEntryKind kind, ReadOnlySpan<byte> response, in ResponseScan scan, ReadOnlySpan<ScannedRecord> records, uint ttl, uint floor, long now, string? upstream, bool cutsSubtree)
    {
        // Cut the OPT record (the last record) out: each client gets its own on the way out.
        var optStart = scan.Edns.Present ? scan.Edns.RecordOffset : response.Length;
        var optLength = scan.Edns.Present ? scan.Edns.RecordLength : 0;
        var length = response.Length - optLength;
        var stored = TtlTable.Allocate(length, records.Length);
        if (stored is null)
        {
            return null;
        }

        response[..optStart].CopyTo(stored);
        response[(optStart + optLength)..].CopyTo(stored.AsSpan(optStart, length - optStart));
        if (scan.Edns.Present)
        {
            BinaryPrimitives.WriteUInt16BigEndian(stored.AsSpan(10), (ushort)(scan.Header.AdditionalCount - 1));
        }

        for (var i = 0; i < records.Length; i++)
        {
            var offset = records[i].TtlOffset > optStart ? records[i].TtlOffset - optLength : records[i].TtlOffset;
            TtlTable.SetOffset(stored, length, i, offset);
            BinaryPrimitives.WriteUInt32BigEndian(stored.AsSpan(offset), Math.Clamp(records[i].Ttl, floor, ttl));
        }

        return new CacheEntry(SharingName(key, stored), kind, stored, length, ttl, now, upstream, cutsSubtree);
    }

    /// <summary>
    /// The key, its name read from the stored answer's question (lower-cased there: each client's question
    /// replaces it on the way out anyway), so the entry does not hold its name twice. The question is the
    /// key's name whenever an upstream answered it; anything else keeps the key's own copy.
    /// </summary>
    private static CacheKey SharingName(CacheKey key, byte[] stored)
    {
        var question = stored.AsSpan(DnsHeader.Size);
        if (question.Length < key.Name.Length || !NameWire.EqualsIgnoreCase(question[..key.Name.Length], key.Name))
        {
            return key;
        }

        NameWire.CopyLowercase(question[..key.Name.Length], question);
        return key.Over(stored, DnsHeader.Size);
    }

    /// <summary>Whether an NXDOMAIN for a name covers its subtree too (RFC 8020), by <see cref="NxDomainCut"/>.</summary>
    internal static bool CutsSubtree(NxDomainCut cut, in DnsHeader header) => cut switch
    {
        NxDomainCut.Always => true,
        NxDomainCut.Validated => header.AuthenticData,
        _ => false,
    };

    /// <summary>Whether the answer section holds the asked type (any type for ANY).</summary>
    private static bool HasAnswer(ReadOnlySpan<ScannedRecord> records, DnsRecordType asked)
    {
        foreach (var record in records)
        {
            if (record.Section == DnsSection.Answer && (record.Type == asked || asked == DnsRecordType.ANY))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the answer section holds a CNAME or DNAME (when neither was asked): a chain to another name.</summary>
    private static bool FollowsAlias(ReadOnlySpan<ScannedRecord> records, DnsRecordType asked)
    {
        if (asked is DnsRecordType.CNAME or DnsRecordType.DNAME or DnsRecordType.ANY)
        {
            return false;
        }

        foreach (var record in records)
        {
            if (record.Section == DnsSection.Answer && record.Type is DnsRecordType.CNAME or DnsRecordType.DNAME)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 2308: min(SOA TTL, SOA MINIMUM), capped by MaxNegativeTtl; 0 (do not cache) without an SOA.</summary>
    private static uint NegativeTtl(ReadOnlySpan<byte> response, ReadOnlySpan<ScannedRecord> records, CacheOptions options) =>
        TryNegativeTtl(response, records, out var negative) ? Math.Min(negative, (uint)options.MaxNegativeTtl.TotalSeconds) : 0;

    /// <summary>The response without the records <paramref name="related"/> (answer, authority, additional in scan order, OPT not counted) marks false.</summary>
    private static byte[]? WithoutUnrelated(ReadOnlySpan<byte> response, bool[] related) =>
        Reencoded(response, message =>
        {
            var first = 0;
            foreach (var section in (List<DnsResourceRecord>[])[message.Answers, message.Authorities, message.Additionals])
            {
                var start = first;
                first += section.Count;
                var kept = section.Where((_, i) => related[start + i]).ToList();
                section.Clear();
                section.AddRange(kept);
            }
        });

    /// <summary>The response without its OPT record (and the extended RCODE bits it carried).</summary>
    private static byte[]? WithoutOpt(ReadOnlySpan<byte> response) =>
        Reencoded(response, message =>
        {
            var code = message.ResponseCode;
            message.Edns = null;
            message.ResponseCode = (DnsResponseCode)((int)code & 0xF);
        });

    /// <summary>
    /// The response parsed, changed and written again; null when the full parser, stricter than the scan, refuses it
    /// (the answer is then unusable, as garbage is).
    /// </summary>
    private static byte[]? Reencoded(ReadOnlySpan<byte> response, Action<DnsMessage> change)
    {
        if (!DnsMessage.TryParse(response, out var message, out _))
        {
            return null;
        }

        change(message);
        var buffer = new byte[response.Length];
        message.TryWrite(buffer, out var written);
        return buffer[..written];
    }

    private static uint MinTtl(ReadOnlySpan<ScannedRecord> records, DnsSection section)
    {
        var min = uint.MaxValue;
        foreach (var record in records)
        {
            if (record.Section == section)
            {
                min = Math.Min(min, record.Ttl);
            }
        }

        return min;
    }

    /// <summary>RFC 2308 §5: min(SOA TTL, SOA MINIMUM); MINIMUM is the last 4 bytes of the SOA RDATA.</summary>
    private static bool TryNegativeTtl(ReadOnlySpan<byte> response, ReadOnlySpan<ScannedRecord> records, out uint ttl)
    {
        foreach (var record in records)
        {
            if (record.Section == DnsSection.Authority && record.Type == DnsRecordType.SOA && record.DataLength >= 22)
            {
                var minimum = BinaryPrimitives.ReadUInt32BigEndian(response.Slice(record.DataOffset + record.DataLength - 4));
                ttl = Math.Min(record.Ttl, minimum);
                return true;
            }
        }

        ttl = 0;
        return false;
    }

    private static uint Clamp(uint ttl, TimeSpan min, TimeSpan max) =>
        Math.Clamp(ttl, (uint)min.TotalSeconds, Math.Max((uint)min.TotalSeconds, (uint)max.TotalSeconds));
}
