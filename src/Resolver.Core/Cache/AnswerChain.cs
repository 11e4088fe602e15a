using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Cache;

/// <summary>
/// Which answer records belong to the question: those owned by the asked name or by a name its CNAME chain leads to,
/// and a DNAME owned by an ancestor of one of them (RFC 6672). Anything else in the answer section (a record for an
/// unrelated name, as a poisoning attempt or a broken upstream sends) is not the client's business and is not
/// cached: Unbound's scrubber removes the same. Works on the scan, without parsing, for every miss.
/// </summary>
internal static class AnswerChain
{
    /// <summary>How many names a chain may have: a CNAME chain longer than this is not followed further (clients give up at 8 or so).</summary>
    private const int MaxNames = 16;

    /// <summary>
    /// Marks in <paramref name="related"/> (one flag per scanned record; records outside the answer section are
    /// always related) the answer records that belong to <paramref name="question"/> (an uncompressed wire name);
    /// returns whether all of them do.
    /// </summary>
    public static bool Mark(ReadOnlySpan<byte> message, ReadOnlySpan<ScannedRecord> records, ReadOnlySpan<byte> question, Span<bool> related)
    {
        // Most answers are the asked name's own records: no chain to follow, and no 4 KB of names to clear.
        Span<byte> owner = stackalloc byte[NameWire.MaxNameLength];
        var own = true;
        foreach (var record in records)
        {
            own &= record.Section != DnsSection.Answer || (Owner(message, record, owner, out var length) && NameWire.EqualsIgnoreCase(owner[..length], question));
        }

        if (own)
        {
            related.Fill(true);
            return true;
        }

        return MarkChain(message, records, question, related);
    }

    private static bool MarkChain(ReadOnlySpan<byte> message, ReadOnlySpan<ScannedRecord> records, ReadOnlySpan<byte> question, Span<bool> related)
    {
        Span<byte> names = stackalloc byte[MaxNames * NameWire.MaxNameLength];
        Span<int> lengths = stackalloc int[MaxNames];
        Span<byte> owner = stackalloc byte[NameWire.MaxNameLength];
        question.CopyTo(names);
        lengths[0] = question.Length;
        var count = 1;

        // The chain: each CNAME owned by a name already in it adds its target (records may come in any order).
        for (var changed = true; changed && count < MaxNames;)
        {
            changed = false;
            foreach (var record in records)
            {
                if (record.Section != DnsSection.Answer || record.Type != DnsRecordType.CNAME
                    || !Owner(message, record, owner, out var ownerLength) || IndexOf(names, lengths, count, owner[..ownerLength]) < 0)
                {
                    continue;
                }

                var target = names.Slice(count * NameWire.MaxNameLength, NameWire.MaxNameLength);
                if (NameWire.TryDecompress(message, record.DataOffset, target, out var targetLength, out _) == DnsParseError.None
                    && IndexOf(names, lengths, count, target[..targetLength]) < 0)
                {
                    lengths[count++] = targetLength;
                    changed = true;
                    if (count == MaxNames)
                    {
                        break;
                    }
                }
            }
        }

        var all = true;
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            related[i] = record.Section != DnsSection.Answer
                || (Owner(message, record, owner, out var ownerLength) && Belongs(record.Type, owner[..ownerLength], names, lengths, count));
            all &= related[i];
        }

        return all;
    }

    private static bool Belongs(DnsRecordType type, ReadOnlySpan<byte> owner, ReadOnlySpan<byte> names, ReadOnlySpan<int> lengths, int count)
    {
        if (IndexOf(names, lengths, count, owner) >= 0)
        {
            return true;
        }

        if (type != DnsRecordType.DNAME)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var name = names.Slice(i * NameWire.MaxNameLength, lengths[i]);
            if (name.Length > owner.Length && NameWire.IsAtOrBelow(name, owner))
            {
                return true; // a DNAME above a name of the chain: it is what redirected it
            }
        }

        return false;
    }

    private static bool Owner(ReadOnlySpan<byte> message, in ScannedRecord record, Span<byte> owner, out int length) =>
        NameWire.TryDecompress(message, record.NameOffset, owner, out length, out _) == DnsParseError.None;

    private static int IndexOf(ReadOnlySpan<byte> names, ReadOnlySpan<int> lengths, int count, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < count; i++)
        {
            if (lengths[i] == name.Length && NameWire.EqualsIgnoreCase(names.Slice(i * NameWire.MaxNameLength, lengths[i]), name))
            {
                return i;
            }
        }

        return -1;
    }
}
