using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Cache;

/// <summary>
/// Lower-cased wire name, type, class and the DO/CD bits (answers differ with them). An NXDOMAIN
/// is cached per name (RFC 2308 §5) under a name-error key, which no question can produce, and
/// covers the subtree (RFC 8020).
/// </summary>
public sealed class CacheKey : IEquatable<CacheKey>
{
    private readonly byte[] _name;
    private readonly int _hash;

    private CacheKey(byte[] lowercaseName, DnsRecordType type, DnsClass @class, CacheFlags flags, bool nameError)
    {
        _name = lowercaseName;
        Type = type;
        Class = @class;
        Flags = flags;
        IsNameError = nameError;
        _hash = HashCode.Combine(NameWire.GetHashCodeIgnoreCase(_name), Type, Class, Flags, nameError);
    }

    public ReadOnlySpan<byte> Name => _name;

    public DnsRecordType Type { get; }

    public DnsClass Class { get; }

    public CacheFlags Flags { get; }

    /// <summary>The key of "this name does not exist", whatever the type.</summary>
    public bool IsNameError { get; }

    public static CacheKey Create(ReadOnlySpan<byte> wireName, DnsRecordType type, DnsClass @class, CacheFlags flags)
    {
        var lower = new byte[wireName.Length];
        NameWire.CopyLowercase(wireName, lower);
        return new CacheKey(lower, type, @class, flags, nameError: false);
    }

    /// <summary>The NXDOMAIN marker key for this name.</summary>
    public CacheKey ForNameError() => IsNameError ? this : new CacheKey(_name, 0, Class, Flags, nameError: true);

    /// <summary>The NXDOMAIN marker key of the ancestor <paramref name="labelsUp"/> labels up, or null past the root.</summary>
    public CacheKey? NameErrorAncestor(int labelsUp)
    {
        var position = 0;
        for (var i = 0; i < labelsUp; i++)
        {
            if (_name[position] == 0)
            {
                return null;
            }

            position += _name[position] + 1;
        }

        return new CacheKey(_name[position..], 0, Class, Flags, nameError: true);
    }

    public DnsName ToName() => DnsName.FromWire(_name);

    public bool Equals(CacheKey? other) =>
        other is not null
        && _hash == other._hash
        && IsNameError == other.IsNameError
        && Type == other.Type
        && Class == other.Class
        && Flags == other.Flags
        && _name.AsSpan().SequenceEqual(other._name);

    public override bool Equals(object? obj) => Equals(obj as CacheKey);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{ToName()} {(IsNameError ? "NXDOMAIN" : Mnemonics.ToText(Type))} {Mnemonics.ToText(Class)}{(Flags != 0 ? " " + Flags : string.Empty)}";
}

[Flags]
public enum CacheFlags : byte
{
    None = 0,
    DnssecOk = 1,
    CheckingDisabled = 2,
}
