using System.Buffers.Binary;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Cache;

/// <summary>
/// Turns a validated upstream response into a cache entry: classifies it (RFC 2308), computes the
/// entry TTL (minimum of the answer, clamped; negative from the SOA, capped), strips the OPT record
/// and rewrites each record's TTL to at most the entry TTL.
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
        var records = new ScannedRecord[MaxRecords];
        if (MessageScanner.ScanResponse(response, records, out var scan) != DnsParseError.None)
        {
            return null;
        }

        var scanned = records.AsSpan(0, scan.RecordCount);
        CacheEntryKind kind;
        uint ttl;
        switch (scan.ResponseCode)
        {
            case DnsResponseCode.NoError when AnswersTheQuestion(scanned, key.Type):
                kind = CacheEntryKind.Positive;
                ttl = Clamp(MinTtl(scanned, DnsSection.Answer), options.MinTtl, options.MaxTtl);
                break;
            case DnsResponseCode.NoError:
            case DnsResponseCode.NXDomain:
                kind = scan.ResponseCode == DnsResponseCode.NXDomain ? CacheEntryKind.NxDomain : CacheEntryKind.NoData;
                ttl = TryNegativeTtl(response, scanned, out var negative)
                    ? Math.Min(negative, (uint)options.MaxNegativeTtl.TotalSeconds)
                    : 0; // RFC 2308 §5: no SOA, no negative caching
                break;
            default:
                return null;
        }

        var entryKey = kind == CacheEntryKind.NxDomain ? key.ForNameError() : key;
        return Build(entryKey, kind, response, scan, scanned, ttl, now, upstream);
    }

    /// <summary>A SERVFAIL to remember briefly, built from the client's question.</summary>
    public static CacheEntry CreateServFail(CacheKey key, ReadOnlySpan<byte> question, CacheOptions options, long now)
    {
        var response = new byte[DnsHeader.Size + question.Length];
        var header = new DnsHeader { IsResponse = true, RecursionDesired = true, RecursionAvailable = true, QuestionCount = 1 };
        header.ResponseCodeLow = (byte)DnsResponseCode.ServFail;
        header.TryWrite(response);
        question.CopyTo(response.AsSpan(DnsHeader.Size));
        return new CacheEntry(key, CacheEntryKind.ServFail, response, [], [], (uint)options.ServFailTtl.TotalSeconds, now, upstream: null);
    }

    private static CacheEntry Build(
        CacheKey key, CacheEntryKind kind, ReadOnlySpan<byte> response, in ResponseScan scan, ReadOnlySpan<ScannedRecord> records, uint ttl, long now, string? upstream)
    {
        // Cut the OPT record out: each client gets its own on the way out.
        var optStart = scan.Edns.Present ? scan.Edns.RecordOffset : response.Length;
        var optLength = scan.Edns.Present ? scan.Edns.RecordLength : 0;
        var stored = new byte[response.Length - optLength];
        response[..optStart].CopyTo(stored);
        response[(optStart + optLength)..].CopyTo(stored.AsSpan(optStart));
        if (scan.Edns.Present)
        {
            BinaryPrimitives.WriteUInt16BigEndian(stored.AsSpan(10), (ushort)(scan.Header.AdditionalCount - 1));
        }

        var offsets = new int[records.Length];
        var ttls = new uint[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var offset = records[i].TtlOffset;
            offsets[i] = offset > optStart ? offset - optLength : offset;
            ttls[i] = Math.Min(records[i].Ttl, ttl);
            BinaryPrimitives.WriteUInt32BigEndian(stored.AsSpan(offsets[i]), ttls[i]);
        }

        return new CacheEntry(key, kind, stored, offsets, ttls, ttl, now, upstream);
    }

    /// <summary>
    /// Whether the answer section holds the asked type, or a CNAME/DNAME to follow. Answers of other
    /// types only (an A record for an AAAA question) do not make a positive answer: that is NODATA.
    /// </summary>
    private static bool AnswersTheQuestion(ReadOnlySpan<ScannedRecord> records, DnsRecordType asked)
    {
        foreach (var record in records)
        {
            if (record.Section == DnsSection.Answer
                && (record.Type == asked || asked == DnsRecordType.ANY || record.Type is DnsRecordType.CNAME or DnsRecordType.DNAME))
            {
                return true;
            }
        }

        return false;
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
