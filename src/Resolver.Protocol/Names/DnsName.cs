using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Names;

/// <summary>
/// A domain name, held as uncompressed wire bytes in their original case. Equality and hashing ignore
/// ASCII case (RFC 4343); <see cref="CopyCanonical"/> gives the lower-cased form used for cache keys.
/// </summary>
public sealed partial class DnsName : IEquatable<DnsName>
{
    private readonly byte[] _wire;

    private DnsName(byte[] wire, int labelCount)
    {
        _wire = wire;
        LabelCount = labelCount;
    }

    /// <summary>The root name, ".".</summary>
    public static DnsName Root { get; } = new([0], 0);

    /// <summary>Uncompressed wire form, original case, terminal zero included.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    /// <summary>Number of labels, the root not counted ("www.example.com." has 3).</summary>
    public int LabelCount { get; }

    public bool IsRoot => LabelCount == 0;

    /// <summary>Builds a name from uncompressed wire bytes; throws <see cref="DnsFormatException"/> if they are not one name.</summary>
    public static DnsName FromWire(ReadOnlySpan<byte> wire)
    {
        var error = NameWire.Validate(wire, out var labels);
        if (error != DnsParseError.None)
        {
            ThrowHelper.ThrowFormat(error);
        }

        return labels == 0 ? Root : new DnsName(wire.ToArray(), labels);
    }

    /// <summary>Returns a copy with every ASCII letter lower-cased.</summary>
    public DnsName ToLowerInvariant()
    {
        var lower = new byte[_wire.Length];
        NameWire.CopyLowercase(_wire, lower);
        return lower.AsSpan().SequenceEqual(_wire) ? this : new DnsName(lower, LabelCount);
    }

    /// <summary>Writes the lower-cased wire form (the cache key form) and returns its length.</summary>
    public int CopyCanonical(Span<byte> destination)
    {
        NameWire.CopyLowercase(_wire, destination);
        return _wire.Length;
    }

    /// <summary>The label at <paramref name="index"/>, counted from the left ("www" is 0 in "www.example.com.").</summary>
    public ReadOnlySpan<byte> GetLabel(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, LabelCount);
        var position = LabelOffset(index);
        return _wire.AsSpan(position + 1, _wire[position]);
    }

    /// <summary>The name with its leftmost label removed; the root has no parent.</summary>
    public DnsName Parent()
    {
        if (IsRoot)
        {
            throw new InvalidOperationException("The root name has no parent.");
        }

        return LabelCount == 1 ? Root : new DnsName(_wire.AsSpan(_wire[0] + 1).ToArray(), LabelCount - 1);
    }

    /// <summary>True when this name equals <paramref name="ancestor"/> or lies below it (case-insensitive).</summary>
    public bool IsSubdomainOf(DnsName ancestor)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        return NameWire.IsAtOrBelow(_wire, ancestor._wire);
    }

    public bool Equals(DnsName? other) =>
        other is not null && (ReferenceEquals(this, other) || NameWire.EqualsIgnoreCase(_wire, other._wire));

    public override bool Equals(object? obj) => Equals(obj as DnsName);

    public override int GetHashCode() => NameWire.GetHashCodeIgnoreCase(_wire);

    public static bool operator ==(DnsName? left, DnsName? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(DnsName? left, DnsName? right) => !(left == right);

    internal static DnsName FromValidatedWire(ReadOnlySpan<byte> wire, int labelCount) =>
        labelCount == 0 ? Root : new DnsName(wire.ToArray(), labelCount);

    private int LabelOffset(int index)
    {
        var position = 0;
        for (var i = 0; i < index; i++)
        {
            position += _wire[position] + 1;
        }

        return position;
    }
}
