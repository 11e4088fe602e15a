using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Resolver.Protocol.Names;

namespace Resolver.Core.Cache;

/// <summary>
/// The cache on disk, so a restart keeps what serve-stale needs. Little-endian throughout:
/// <code>
/// file    = header entry* trailer
/// header  = "RSLVCACH" | version u16 | reserved u16 (0) | saved-at i64 (UTC ticks) | CRC-32 u32 of the 20 bytes before it
/// entry   = length u32 (1..MaxBodyLength) | body | CRC-32 u32 of the body
/// trailer = u32 0 | entry count i64 | CRC-32 u32 of the count
/// flags   = 1: the key is a name-error key | 2: HasUpstream | 4: the NXDOMAIN cuts its subtree (RFC 8020)
/// body    = flags u8 | kind u8 | type u16 | class u16 | cache flags u8 | name length u8 | name (lower-case wire form)
///         | stored-at i64 (UTC ticks) | ttl u32 | response length u16 | response
///         | record count u16 | (ttl offset u16, ttl u32) per record
///         | upstream length u16 | upstream (UTF-8)                 only with flag HasUpstream
/// </code>
/// Times are absolute (UTC wall clock): <see cref="CacheEntry.StoredAt"/> is a monotonic timestamp that
/// means nothing to another process. A field added later comes with a new flag bit, at the end of the
/// body; a reader skips the entries that carry a flag it does not know and reads the rest. Changing the
/// layout of existing fields needs a new version, and a file of another version is ignored whole.
/// <para>
/// The file is untrusted input. Each entry is checked against its CRC, read with bounds checks, and its
/// response scanned again with <see cref="Resolver.Protocol.Scanning.MessageScanner"/>: the TTL offsets must be exactly where the
/// records' TTLs are and the question must be the key's, so no file can make the cache serve out-of-range
/// data or throw. Reading stops at the first damaged or missing byte; the entries before it (each proven
/// intact by its own CRC) are kept, and the rest of the file is ignored.
/// </para>
/// </summary>
internal static partial class CacheSnapshot
{
    public const ushort FormatVersion = 1;

    /// <summary>The most records an entry may have (as <see cref="CacheEntryFactory"/> scans at most 512).</summary>
    public const int MaxRecords = 512;

    private const int HeaderLength = 24;
    private const int TrailerLength = 16;
    private const int MaxUpstreamLength = 1024;
    private const int FixedBodyLength = 1 + 1 + 2 + 2 + 1 + 1 + 8 + 4 + 2 + 2;
    private const int MaxBodyLength = FixedBodyLength + NameWire.MaxNameLength + ushort.MaxValue + (MaxRecords * 6) + 2 + MaxUpstreamLength;
    private const int FileBufferSize = 1 << 20;
    private const int MaxInternedUpstreams = 64;
    private const int BatchSize = 1024;

    private const byte FlagNameError = 1;
    private const byte FlagHasUpstream = 2;
    private const byte FlagCutsSubtree = 4;
    private const byte KnownFlags = FlagNameError | FlagHasUpstream | FlagCutsSubtree;
    private const CacheFlags KnownCacheFlags = CacheFlags.DnssecOk | CacheFlags.CheckingDisabled;

    private static ReadOnlySpan<byte> Magic => "RSLVCACH"u8;

    /// <summary>
    /// Writes the cache's live entries to <paramref name="path"/> atomically: a temporary file in the same
    /// directory (mode 0600: the cache tells what clients looked up), flushed to disk, then renamed over the
    /// old snapshot. Returns how many entries were written. Throws on I/O errors, leaving the old snapshot.
    /// </summary>
    public static int Save(string path, DnsCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var full = Path.GetFullPath(path);
        CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        try
        {
            File.Delete(temporary); // a leftover from a crash; created anew below so its mode is ours
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = FileBufferSize };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            int count;
            using (var stream = new FileStream(temporary, options))
            {
                count = Write(stream, cache.SnapshotEntries(), cache.Time);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            return count;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes a snapshot of <paramref name="entries"/> to <paramref name="stream"/>; returns how many were written.</summary>
    public static int Write(Stream stream, IEnumerable<CacheEntry> entries, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var nowTimestamp = time.GetTimestamp(); // with now: one instant on both clocks, however long the save takes
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], now.UtcTicks);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], Crc32.HashToUInt32(header[..20]));
        stream.Write(header);

        var buffer = ArrayPool<byte>.Shared.Rent(4 + MaxBodyLength + 4);
        try
        {
            var count = 0;
            foreach (var entry in entries)
            {
                var storedAt = (now - time.GetElapsedTime(entry.StoredAt, nowTimestamp)).UtcTicks;
                var length = Encode(entry, storedAt, buffer.AsSpan(4, MaxBodyLength));
                if (length == 0)
                {
                    continue;
                }

                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)length);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4 + length), Crc32.HashToUInt32(buffer.AsSpan(4, length)));
                stream.Write(buffer, 0, 4 + length + 4);
                count++;
            }

            Span<byte> trailer = stackalloc byte[TrailerLength];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, 0);
            BinaryPrimitives.WriteInt64LittleEndian(trailer[4..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], Crc32.HashToUInt32(trailer[4..12]));
            stream.Write(trailer);
            return count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Restores the snapshot at <paramref name="path"/> into <paramref name="cache"/>. Throws only on I/O errors.</summary>
    public static CacheSnapshotReport Load(string path, DnsCache cache)
    {
        if (!File.Exists(path))
        {
            return new CacheSnapshotReport().Stop(CacheSnapshotProblem.Missing, 0);
        }

        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = FileBufferSize,
            Options = FileOptions.SequentialScan,
        });
        return Read(stream, cache);
    }

    /// <summary>
    /// Restores the snapshot in <paramref name="stream"/> into <paramref name="cache"/>, leaving out entries past
    /// their stale window. A damaged file is a <see cref="CacheSnapshotReport.Problem"/>, not an exception.
    /// </summary>
    public static CacheSnapshotReport Read(Stream stream, DnsCache cache)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(cache);
        var report = new CacheSnapshotReport();
        Span<byte> header = stackalloc byte[HeaderLength];
        var read = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        var magic = Math.Min(read, Magic.Length);
        if (!header[..magic].SequenceEqual(Magic[..magic]))
        {
            return report.Stop(CacheSnapshotProblem.NotASnapshot, 0);
        }

        if (read < HeaderLength)
        {
            return report.Stop(CacheSnapshotProblem.Truncated, read);
        }

        report.Version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (report.Version != FormatVersion)
        {
            return report.Stop(CacheSnapshotProblem.UnsupportedVersion, 8);
        }

        var savedAt = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        if (Crc32.HashToUInt32(header[..20]) != BinaryPrimitives.ReadUInt32LittleEndian(header[20..]) || !IsUtcTicks(savedAt))
        {
            return report.Stop(CacheSnapshotProblem.Corrupt, 0);
        }

        report.SavedAt = new DateTimeOffset(savedAt, TimeSpan.Zero);
        return RestoreEntries(stream, cache, report);
    }

    /// <summary>The body of one entry into <paramref name="body"/>; its length, or 0 when the entry cannot be represented (it is left out).</summary>
    private static int Encode(CacheEntry entry, long storedAt, Span<byte> body)
    {
        var key = entry.Key;
        var response = entry.Response;
        var slots = entry.TtlSlots;
        if (response.Length > ushort.MaxValue || slots.Count > MaxRecords)
        {
            return 0;
        }

        var upstream = entry.Upstream is { } name && Encoding.UTF8.GetByteCount(name) <= MaxUpstreamLength ? name : null;
        var flags = (byte)((key.IsNameError ? FlagNameError : 0) | (upstream is null ? 0 : FlagHasUpstream) | (entry.CutsSubtree ? FlagCutsSubtree : 0));
        var writer = new FieldWriter(body);
        writer.Byte(flags);
        writer.Byte((byte)entry.Kind);
        writer.UInt16((ushort)key.Type);
        writer.UInt16((ushort)key.Class);
        writer.Byte((byte)key.Flags);
        writer.Byte((byte)key.Name.Length);
        writer.Bytes(key.Name);
        writer.Int64(storedAt);
        writer.UInt32(entry.Ttl);
        writer.UInt16((ushort)response.Length);
        writer.Bytes(response);
        writer.UInt16((ushort)slots.Count);
        foreach (var slot in slots)
        {
            if ((uint)slot.Offset > ushort.MaxValue)
            {
                return 0;
            }

            writer.UInt16((ushort)slot.Offset);
            writer.UInt32(slot.Ttl);
        }

        if (upstream is not null)
        {
            writer.Utf8(upstream);
        }

        return writer.Position;
    }

    private static bool IsUtcTicks(long ticks) => ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The save failed already; that error is the one to report.
        }
    }

    private static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Little-endian fields into a span the caller sized for the largest body.</summary>
    private ref struct FieldWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public int Position { get; private set; }

        public void Byte(byte value) => _span[Position++] = value;

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_span[Position..], value);
            Position += 2;
        }

        public void UInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_span[Position..], value);
            Position += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_span[Position..], value);
            Position += 8;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_span[Position..]);
            Position += value.Length;
        }

        public void Utf8(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _span[(Position + 2)..]);
            UInt16((ushort)length);
            Position += length;
        }
    }
}
