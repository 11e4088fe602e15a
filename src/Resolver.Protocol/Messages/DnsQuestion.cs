using Resolver.Protocol.Names;
using Resolver.Protocol.Records;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Messages;

/// <summary>One entry of the question section.</summary>
public sealed record DnsQuestion(DnsName Name, DnsRecordType Type, DnsClass Class = DnsClass.IN)
{
    internal static DnsQuestion Read(ref DnsReader reader)
    {
        var name = reader.ReadName();
        var type = (DnsRecordType)reader.ReadUInt16();
        var @class = (DnsClass)reader.ReadUInt16();
        return new DnsQuestion(name, type, @class);
    }

    public bool TryWrite(ref DnsWriter writer) =>
        writer.TryWriteName(Name) && writer.TryWriteUInt16((ushort)Type) && writer.TryWriteUInt16((ushort)Class);

    /// <summary>As dig prints it in the question section: ";name. IN A".</summary>
    public override string ToString() => $";{Name}\t\t{Mnemonics.ToText(Class)}\t{Mnemonics.ToText(Type)}";
}
