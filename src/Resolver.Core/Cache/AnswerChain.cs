using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Wire;

namespace Resolver.Core.Cache;

/// <summary>
/// Which records belong to the question, as Unbound's scrubber judges them. In the answer section: those owned by the
/// asked name or by a name its CNAME chain leads to, and a DNAME owned by an ancestor of one of them (RFC 6672). In the
/// authority section: an NS or SOA only for a zone that holds a name of the chain (its owner at or above one); the
/// DNSSEC proofs (NSEC, NSEC3, DS, RRSIG) stay. In the additional section: only records owned by a name of the chain or
/// one the kept records point to (an NS, MX, SRV or SVCB target: glue). Anything else (a record for an unrelated name,
/// as a poisoning attempt or a broken upstream sends) is not the client's business and is not cached. Works on the
/// scan, without parsing, for every miss.
/// </summary>
internal static class AnswerChain
{
    /// <summary>How many names a chain may have: a CNAME chain longer than this is not followed further (clients give up at 8 or so).</summary>
    private const int MaxNames = 16;

    /// <summary>
    /// Marks in <paramref name="related"/> (one flag per scanned record) the records that belong to
    /// <paramref name="question"/> (an uncompressed wire name); returns whether all of them do.
    /// </summary>
    public static bool Mark(ReadOnlySpan<byte> message, ReadOnlySpan<ScannedRecord> records, ReadOnlySpan<byte> question, Span<bool> related)
    {
        // Most answers are the asked name's own records, with at most its zone's SOA or NS beside them: no chain to follow,
        // no targets to collect, and no 8 KB of names to clear.
        Span<byte> owner = stackalloc byte[NameWire.MaxNameLength];
        var own = true;
        foreach (var record in records)
        {
            own &= record.Section switch
            {
                DnsSection.Answer => Owner(message, record, owner, out var length) && NameWire.EqualsIgnoreCase(owner[..length], question),
                DnsSection.Authority => !IsZoneRecord(record.Type) || (Owner(message, record, owner, out var length) && NameWire.IsAtOrBelow(question, owner[..length])),
                _ => false,
            };
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

        // The answer and authority sections against the chain; what the kept records point to, for the additional section.
        Span<byte> targets = stackalloc byte[MaxNames * NameWire.MaxNameLength];
        Span<int> targetLengths = stackalloc int[MaxNames];
        var targetCount = 0;
        var all = true;
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.Section == DnsSection.Additional)
            {
                continue;
            }

            related[i] = Owner(message, record, owner, out var ownerLength) && (record.Section == DnsSection.Answer
                ? Belongs(record.Type, owner[..ownerLength], names, lengths, count)
                : !IsZoneRecord(record.Type) || HoldsAName(owner[..ownerLength], names, lengths, count));
            all &= related[i];
            if (related[i] && targetCount < MaxNames && TryTarget(message, record, owner[..ownerLength], targets.Slice(targetCount * NameWire.MaxNameLength, NameWire.MaxNameLength), out var targetLength))
            {
                targetLengths[targetCount++] = targetLength;
            }
        }

        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.Section != DnsSection.Additional)
            {
                continue;
            }

            related[i] = Owner(message, record, owner, out var ownerLength)
                && (IndexOf(names, lengths, count, owner[..ownerLength]) >= 0 || IndexOf(targets, targetLengths, targetCount, owner[..ownerLength]) >= 0);
            all &= related[i];
        }

        return all;
    }

    /// <summary>The records that say which zone answers (NS, SOA): in the authority section, only one above the question's names is believed.</summary>
    private static bool IsZoneRecord(DnsRecordType type) => type is DnsRecordType.NS or DnsRecordType.SOA;

    /// <summary>Whether the zone <paramref name="owner"/> holds a name of the chain (is at or above it).</summary>
    private static bool HoldsAName(ReadOnlySpan<byte> owner, ReadOnlySpan<byte> names, ReadOnlySpan<int> lengths, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (NameWire.IsAtOrBelow(names.Slice(i * NameWire.MaxNameLength, lengths[i]), owner))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name an NS, MX, SRV, SVCB or HTTPS record points to, whose addresses may come as glue; SVCB's "." is its owner.</summary>
    private static bool TryTarget(ReadOnlySpan<byte> message, in ScannedRecord record, ReadOnlySpan<byte> owner, Span<byte> target, out int length)
    {
        var skip = record.Type switch
        {
            DnsRecordType.NS => 0,
            DnsRecordType.MX => 2, // preference
            DnsRecordType.SRV => 6, // priority, weight, port
            DnsRecordType.SVCB or DnsRecordType.HTTPS => 2, // priority
            _ => -1,
        };
        length = 0;
        if (skip < 0 || NameWire.TryDecompress(message, record.DataOffset + skip, target, out length, out _) != DnsParseError.None)
        {
            return false;
        }

        if (length == 1 && record.Type is DnsRecordType.SVCB or DnsRecordType.HTTPS)
        {
            owner.CopyTo(target);
            length = owner.Length;
        }

        return true;
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
