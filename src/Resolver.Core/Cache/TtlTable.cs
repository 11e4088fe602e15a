using System.Buffers.Binary;
using System.Collections;

namespace Resolver.Core.Cache;

/// <summary>
/// Where each record's TTL sits in a stored answer. The table lives in the answer's own array, after the
/// message, one little-endian u16 offset a record: one array an entry, not two. The TTL values are the
/// message's own bytes (written, already clamped, when the entry was built), so only offsets are kept.
/// </summary>
public readonly struct TtlTable : IReadOnlyList<TtlSlot>
{
    private const int SlotLength = sizeof(ushort);
    private readonly byte[] _stored;
    private readonly int _responseLength;

    internal TtlTable(byte[] stored, int responseLength)
    {
        _stored = stored;
        _responseLength = responseLength;
    }

    public int Count => (_stored.Length - _responseLength) / SlotLength;

    public TtlSlot this[int index]
    {
        get
        {
            var offset = BinaryPrimitives.ReadUInt16LittleEndian(_stored.AsSpan(_responseLength + (index * SlotLength)));
            return new TtlSlot(offset, BinaryPrimitives.ReadUInt32BigEndian(_stored.AsSpan(offset)));
        }
    }

    /// <summary>
    /// The array for a message of <paramref name="responseLength"/> bytes and its table of <paramref name="count"/>
    /// offsets; null when a record could not be reached by a u16 offset (a message over 64 KB, which DNS never sends).
    /// </summary>
    internal static byte[]? Allocate(int responseLength, int count) =>
        responseLength <= ushort.MaxValue ? new byte[responseLength + (count * SlotLength)] : null;

    /// <summary>Sets the offset of record <paramref name="index"/>; it must leave the whole TTL inside the message.</summary>
    internal static void SetOffset(byte[] stored, int responseLength, int index, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)offset, (uint)(responseLength - sizeof(uint)), nameof(offset));
        BinaryPrimitives.WriteUInt16LittleEndian(stored.AsSpan(responseLength + (index * SlotLength)), (ushort)offset);
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<TtlSlot> IEnumerable<TtlSlot>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator(TtlTable table) : IEnumerator<TtlSlot>
    {
        private int _index = -1;

        public readonly TtlSlot Current => table[_index];

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < table.Count;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}
