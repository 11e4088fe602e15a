using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Cache;

/// <summary>The untrusted side of the snapshot: framing, checksums and the checks on every decoded field.</summary>
internal static partial class CacheSnapshot
{
    private enum Decoded
    {
        Entry,
        Expired,
        Invalid,
        Unsupported,
    }

    /// <summary>
    /// Restores the entries after the header. Decoding (CRC, bounds checks, MessageScanner) and inserting into
    /// MemoryCache cost about the same, and at start-up the other core is idle: one thread decodes while
    /// this one inserts.
    /// </summary>
    private static CacheSnapshotReport RestoreEntries(Stream stream, DnsCache cache, CacheSnapshotReport report)
    {
        using var batches = new BlockingCollection<List<CacheEntry>>(boundedCapacity: 16);
        using var abandon = new CancellationTokenSource();
        var decoding = Task.Run(() => DecodeEntries(stream, cache, report, batches, abandon.Token));
        int restored = 0, expired = 0, overCapacity = 0;
        try
        {
            foreach (var batch in batches.GetConsumingEnumerable())
            {
                foreach (var entry in batch)
                {
                    _ = cache.Restore(entry) switch
                    {
                        DnsCache.RestoreResult.Restored => restored++,
                        DnsCache.RestoreResult.Expired => expired++,
                        _ => overCapacity++,
                    };
                }
            }
        }
        finally
        {
            abandon.Cancel(); // leaving early: the decoder must not wait on a full queue, nor outlive the stream
            ((IAsyncResult)decoding).AsyncWaitHandle.WaitOne();
        }

        decoding.GetAwaiter().GetResult(); // the decoder's I/O error, if any
        report.Restored += restored;
        report.Expired += expired;
        report.OverCapacity += overCapacity;
        return report;
    }

    /// <summary>
    /// Reads, checks and decodes the entries into <paramref name="batches"/>; records in <paramref name="report"/>
    /// where reading stopped and the entries it left out (the inserting thread counts the rest).
    /// </summary>
    private static void DecodeEntries(Stream stream, DnsCache cache, CacheSnapshotReport report, BlockingCollection<List<CacheEntry>> batches, CancellationToken abandon)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyLength + 4);
        var records = ArrayPool<ScannedRecord>.Shared.Rent(MaxRecords);
        try
        {
            var context = new DecodeContext(cache.Time, cache.Options);
            var batch = new List<CacheEntry>(BatchSize);
            long position = HeaderLength;
            long seen = 0;
            Span<byte> prefix = stackalloc byte[4];
            while (true)
            {
                if (batch.Count == BatchSize)
                {
                    batches.Add(batch, abandon);
                    batch = new List<CacheEntry>(BatchSize);
                }

                if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length)
                {
                    report.Stop(CacheSnapshotProblem.Truncated, position);
                    break;
                }

                var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
                if (length == 0)
                {
                    ReadTrailer(stream, report, position, seen);
                    break;
                }

                if (length > MaxBodyLength)
                {
                    report.Stop(CacheSnapshotProblem.Corrupt, position);
                    break;
                }

                var record = buffer.AsSpan(0, (int)length + 4);
                if (stream.ReadAtLeast(record, record.Length, throwOnEndOfStream: false) < record.Length)
                {
                    report.Stop(CacheSnapshotProblem.Truncated, position);
                    break;
                }

                var body = record[..(int)length];
                if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(record[(int)length..]))
                {
                    report.Stop(CacheSnapshotProblem.Corrupt, position);
                    break;
                }

                seen++;
                position += 4 + length + 4;
                switch (Decode(body, context, records.AsSpan(0, MaxRecords), out var entry))
                {
                    case Decoded.Entry:
                        batch.Add(entry!);
                        break;
                    case Decoded.Expired:
                        report.Expired++;
                        break;
                    case Decoded.Unsupported:
                        report.Unsupported++;
                        break;
                    default:
                        report.Invalid++;
                        break;
                }
            }

            batches.Add(batch, abandon); // the entries up to the end, or up to the damage
        }
        finally
        {
            batches.CompleteAdding();
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<ScannedRecord>.Shared.Return(records);
        }
    }

    private static CacheSnapshotReport ReadTrailer(Stream stream, CacheSnapshotReport report, long position, long seen)
    {
        Span<byte> trailer = stackalloc byte[TrailerLength - 4];
        if (stream.ReadAtLeast(trailer, trailer.Length, throwOnEndOfStream: false) < trailer.Length)
        {
            return report.Stop(CacheSnapshotProblem.Truncated, position);
        }

        var count = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        if (Crc32.HashToUInt32(trailer[..8]) != BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]) || count != seen)
        {
            return report.Stop(CacheSnapshotProblem.Corrupt, position);
        }

        return stream.ReadByte() == -1 ? report : report.Stop(CacheSnapshotProblem.Corrupt, position + TrailerLength);
    }

    /// <summary>One entry from a CRC-checked body; every field is checked, since the file is untrusted.</summary>
    private static Decoded Decode(ReadOnlySpan<byte> body, DecodeContext context, Span<ScannedRecord> records, out CacheEntry? entry)
    {
        entry = null;
        var reader = new FieldReader(body);
        var flags = reader.Byte();
        if ((flags & ~KnownFlags) != 0)
        {
            return Decoded.Unsupported;
        }

        var kind = (CacheEntryKind)reader.Byte();
        var type = (DnsRecordType)reader.UInt16();
        var @class = (DnsClass)reader.UInt16();
        var cacheFlags = (CacheFlags)reader.Byte();
        var name = reader.Bytes(reader.Byte());
        var storedAt = reader.Int64();
        var ttl = reader.UInt32();
        var response = reader.Bytes(reader.UInt16());
        var count = reader.UInt16();
        var table = reader.Bytes(count * 6);
        var upstream = (flags & FlagHasUpstream) != 0 ? reader.Bytes(reader.UInt16()) : default;
        var nameError = (flags & FlagNameError) != 0;
        if (reader.Failed
            || !reader.AtEnd
            || kind > CacheEntryKind.ServFail
            || (cacheFlags & ~KnownCacheFlags) != 0
            || count > MaxRecords
            || (nameError && (type != 0 || kind != CacheEntryKind.NxDomain)) // a name-error key holds an NXDOMAIN, of no type
            || ((flags & FlagCutsSubtree) != 0 && !nameError) // only an NXDOMAIN for its own name cuts
            || NameWire.Validate(name, out _) != DnsParseError.None
            || !IsUtcTicks(storedAt))
        {
            return Decoded.Invalid;
        }

        // Stored in the future (the clock went back since the save): counted as stored now, never as younger.
        var age = TimeSpan.FromTicks(Math.Max(0, context.NowTicks - storedAt));
        if (age >= DnsCache.StaleWindow(kind, ttl, context.Options))
        {
            return Decoded.Expired;
        }

        Span<TtlSlot> slots = stackalloc TtlSlot[count];
        for (var i = 0; i < count; i++)
        {
            slots[i] = new TtlSlot(BinaryPrimitives.ReadUInt16LittleEndian(table[(i * 6)..]), BinaryPrimitives.ReadUInt32LittleEndian(table[((i * 6) + 2)..]));
            if (slots[i].Ttl > ttl)
            {
                return Decoded.Invalid;
            }
        }

        if (!ResponseMatches(response, name, type, @class, kind, nameError, slots, records, out var header))
        {
            return Decoded.Invalid;
        }

        // A cut (RFC 8020) survives the restart only if Cache:NxDomainCut still allows it for this answer.
        var cutsSubtree = (flags & FlagCutsSubtree) != 0 && CacheEntryFactory.CutsSubtree(context.Options.NxDomainCut, header);

        Span<int> offsets = stackalloc int[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = slots[i].Offset;
        }

        var key = CacheKey.Create(name, type, @class, cacheFlags);
        entry = CacheEntry.Create(
            nameError ? key.ForNameError() : key,
            kind,
            response,
            offsets,
            ttl,
            context.ToTimestamp(age),
            (flags & FlagHasUpstream) != 0 ? context.Upstream(upstream) : null,
            cutsSubtree);
        return Decoded.Entry;
    }

    /// <summary>
    /// Whether <paramref name="response"/> is what the cache stores for such an entry: a message the scanner
    /// accepts, without OPT, whose question is the key's, whose records' TTLs sit exactly at the offsets with the values the table gives, and
    /// whose RCODE matches the kind. An NXDOMAIN must also parse fully: it is re-encoded for names below it.
    /// </summary>
    private static bool ResponseMatches(
        ReadOnlySpan<byte> response, ReadOnlySpan<byte> name, DnsRecordType type, DnsClass @class, CacheEntryKind kind, bool nameError, ReadOnlySpan<TtlSlot> slots, Span<ScannedRecord> records, out DnsHeader header)
    {
        header = default;
        if (MessageScanner.ScanResponse(response, records, out var scan) != DnsParseError.None
            || scan.Edns.Present
            || scan.Header.QuestionCount != 1
            || scan.RecordCount != slots.Length
            || scan.QuestionEnd - 4 - DnsHeader.Size != name.Length
            || !NameWire.EqualsIgnoreCase(response.Slice(DnsHeader.Size, name.Length), name)
            || scan.QuestionClass != @class
            || (!nameError && scan.QuestionType != type))
        {
            return false;
        }

        for (var i = 0; i < slots.Length; i++)
        {
            if (records[i].TtlOffset != slots[i].Offset || records[i].Ttl != slots[i].Ttl)
            {
                return false;
            }
        }

        header = scan.Header;
        var expected = kind switch
        {
            CacheEntryKind.NxDomain => DnsResponseCode.NXDomain,
            CacheEntryKind.ServFail => DnsResponseCode.ServFail,
            _ => DnsResponseCode.NoError,
        };
        return scan.ResponseCode == expected && (kind != CacheEntryKind.NxDomain || DnsMessage.TryParse(response, out _, out _));
    }

    /// <summary>The clocks of one load, and the upstream names seen so far (a few, shared by many entries, as in a live cache).</summary>
    private sealed class DecodeContext(TimeProvider time, CacheOptions options)
    {
        private readonly List<(byte[] Utf8, string Name)> _upstreams = [];
        private readonly long _nowTimestamp = time.GetTimestamp();
        private readonly double _timestampsPerTick = (double)time.TimestampFrequency / TimeSpan.TicksPerSecond;

        public CacheOptions Options { get; } = options;

        public long NowTicks { get; } = time.GetUtcNow().UtcTicks;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value <paramref name="age"/> ago (age is below <see cref="DnsCache.MaxSnapshotAge"/>).</summary>
        public long ToTimestamp(TimeSpan age) => _nowTimestamp - (long)(age.Ticks * _timestampsPerTick);

        public string Upstream(ReadOnlySpan<byte> utf8)
        {
            foreach (var (bytes, name) in _upstreams)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    return name;
                }
            }

            var decoded = Encoding.UTF8.GetString(utf8);
            if (_upstreams.Count < MaxInternedUpstreams)
            {
                _upstreams.Add((utf8.ToArray(), decoded));
            }

            return decoded;
        }
    }

    /// <summary>Little-endian fields from a span; a read past the end yields zeroes and sets <see cref="Failed"/>.</summary>
    private ref struct FieldReader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _position;

        public bool Failed { get; private set; }

        public readonly bool AtEnd => _position == _span.Length;

        public byte Byte() => Take(1) is { Length: 1 } value ? value[0] : (byte)0;

        public ushort UInt16() => Take(2) is { Length: 2 } value ? BinaryPrimitives.ReadUInt16LittleEndian(value) : (ushort)0;

        public uint UInt32() => Take(4) is { Length: 4 } value ? BinaryPrimitives.ReadUInt32LittleEndian(value) : 0;

        public long Int64() => Take(8) is { Length: 8 } value ? BinaryPrimitives.ReadInt64LittleEndian(value) : 0;

        public ReadOnlySpan<byte> Bytes(int count) => Take(count);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (Failed || count > _span.Length - _position)
            {
                Failed = true;
                return default;
            }

            var value = _span.Slice(_position, count);
            _position += count;
            return value;
        }
    }
}
