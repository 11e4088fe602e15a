using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Cache;

/// <summary>
/// Lower-cased wire name, type, class and the DO/CD bits (answers differ with them). An NXDOMAIN
/// is cached per name (RFC 2308 §5) under a name-error key, which no question can produce, and
/// covers the subtree (RFC 8020). A cached entry is its own key (<see cref="CacheEntry"/> derives from
/// this), so the store holds one object an answer, not two.
/// </summary>
public class CacheKey : IEquatable<CacheKey>
{
    [ThreadStatic]
    private static CacheKey? t_probe;

    [ThreadStatic]
    private static CacheKey? t_ancestor;

    private readonly byte[] _name;
    private readonly int _offset;
    private int _length;
    private int _hash;

    private CacheKey(byte[] lowercaseName, DnsRecordType type, DnsClass @class, CacheFlags flags, bool nameError)
        : this(lowercaseName, 0, lowercaseName.Length, type, @class, flags, nameError)
    {
    }

    private CacheKey(byte[] wire, int offset, int length, DnsRecordType type, DnsClass @class, CacheFlags flags, bool nameError)
    {
        _name = wire;
        _offset = offset;
        _length = length;
        Type = type;
        Class = @class;
        Flags = flags;
        IsNameError = nameError;
        _hash = ComputeHash();
    }

    /// <summary>A copy of <paramref name="key"/>, reading its name where that key does.</summary>
    protected CacheKey(CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        (_name, _offset, _length, _hash) = (key._name, key._offset, key._length, key._hash);
        (Type, Class, Flags, IsNameError) = (key.Type, key.Class, key.Flags, key.IsNameError);
    }

    public ReadOnlySpan<byte> Name => _name.AsSpan(_offset, _length);

    /// <summary>The array the name lies in and where: shared with the stored answer for a cached entry's key.</summary>
    internal (byte[] Array, int Offset) NameStorage => (_name, _offset);

    public DnsRecordType Type { get; private set; }

    public DnsClass Class { get; private set; }

    public CacheFlags Flags { get; private set; }

    /// <summary>The key of "this name does not exist", whatever the type.</summary>
    public bool IsNameError { get; }

    /// <summary>
    /// This thread's reusable lookup key, reset to a question: a cache hit needs no allocation. Valid
    /// only until the thread's next call; <see cref="ToStable"/> copies it for anything kept longer.
    /// </summary>
    public static CacheKey Probe(ReadOnlySpan<byte> wireName, DnsRecordType type, DnsClass @class, CacheFlags flags)
    {
        var probe = t_probe ??= new CacheKey(new byte[NameWire.MaxNameLength], 0, 0, 0, nameError: false);
        NameWire.CopyLowercase(wireName, probe._name);
        probe._length = wireName.Length;
        probe.Type = type;
        probe.Class = @class;
        probe.Flags = flags;
        probe._hash = probe.ComputeHash();
        return probe;
    }

    /// <summary>A key that may be kept: this one, or a copy when this is a thread's probe.</summary>
    public CacheKey ToStable() =>
        ReferenceEquals(this, t_probe) || ReferenceEquals(this, t_ancestor) ? new CacheKey(Name.ToArray(), Type, Class, Flags, IsNameError) : this;

    public static CacheKey Create(ReadOnlySpan<byte> wireName, DnsRecordType type, DnsClass @class, CacheFlags flags)
    {
        var lower = new byte[wireName.Length];
        NameWire.CopyLowercase(wireName, lower);
        return new CacheKey(lower, type, @class, flags, nameError: false);
    }

    /// <summary>The NXDOMAIN marker key for this name.</summary>
    public CacheKey ForNameError() => IsNameError ? this : new CacheKey(Name.ToArray(), 0, Class, Flags, nameError: true);

    /// <summary>
    /// This key, its name read from <paramref name="wire"/> at <paramref name="offset"/> (where the same name,
    /// lower-cased, lies: a stored answer's question), so a cached entry does not carry its name twice.
    /// </summary>
    internal CacheKey Over(byte[] wire, int offset) => new(wire, offset, _length, Type, Class, Flags, IsNameError);

    /// <summary>
    /// The NXDOMAIN marker key of the ancestor <paramref name="labelsUp"/> labels up, or null past the root: this
    /// thread's reusable ancestor key (every miss looks up each ancestor), valid only until the thread's next call.
    /// </summary>
    public CacheKey? NameErrorAncestor(int labelsUp)
    {
        var name = Name;
        var position = 0;
        for (var i = 0; i < labelsUp; i++)
        {
            if (name[position] == 0)
            {
                return null;
            }

            position += name[position] + 1;
        }

        var ancestor = t_ancestor ??= new CacheKey(new byte[NameWire.MaxNameLength], 0, 0, 0, nameError: true);
        name[position..].CopyTo(ancestor._name); // lower-cased already; may overlap when this is the ancestor key itself
        ancestor._length = name.Length - position;
        ancestor.Type = 0;
        ancestor.Class = Class;
        ancestor.Flags = Flags;
        ancestor._hash = ancestor.ComputeHash();
        return ancestor;
    }

    public DnsName ToName() => DnsName.FromWire(Name);

    public bool Equals(CacheKey? other) =>
        other is not null
        && _hash == other._hash
        && IsNameError == other.IsNameError
        && Type == other.Type
        && Class == other.Class
        && Flags == other.Flags
        && Name.SequenceEqual(other.Name);

    public override bool Equals(object? obj) => Equals(obj as CacheKey);

    public override int GetHashCode() => _hash;

    private int ComputeHash() => HashCode.Combine(NameWire.GetHashCodeIgnoreCase(Name), Type, Class, Flags, IsNameError);

    public override string ToString() => $"{ToName()} {(IsNameError ? "NXDOMAIN" : Mnemonics.ToText(Type))} {Mnemonics.ToText(Class)}{(Flags != 0 ? " " + Flags : string.Empty)}";
}

[Flags]
public enum CacheFlags : byte
{
    None = 0,
    DnssecOk = 1,
    CheckingDisabled = 2,
}
