using System.Buffers.Binary;
using System.Net;
using System.Text;
using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>
/// SVCB and HTTPS (RFC 9460), which share one wire format: priority, target, then SvcParams as
/// key/length/value. Values are kept as bytes; the well-known keys are decoded only for display.
/// </summary>
public sealed class SvcbData : DnsRecordData
{
    private readonly (ushort Key, byte[] Value)[] _parameters;

    public SvcbData(DnsRecordType type, ushort priority, DnsName target, IEnumerable<(ushort Key, byte[] Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(parameters);
        if (type is not (DnsRecordType.SVCB or DnsRecordType.HTTPS))
        {
            throw new ArgumentException("SvcbData carries SVCB or HTTPS.", nameof(type));
        }

        Type = type;
        Priority = priority;
        Target = target;
        _parameters = [.. parameters];
    }

    public override DnsRecordType Type { get; }

    public ushort Priority { get; }

    public DnsName Target { get; }

    public IReadOnlyList<(ushort Key, byte[] Value)> Parameters => _parameters;

    public override bool TryWrite(ref DnsWriter writer)
    {
        if (!writer.TryWriteUInt16(Priority) || !writer.TryWriteName(Target, compress: false))
        {
            return false;
        }

        foreach (var (key, value) in _parameters)
        {
            if (!writer.TryWriteUInt16(key) || !writer.TryWriteUInt16((ushort)value.Length) || !writer.TryWriteBytes(value))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString()
    {
        var builder = new StringBuilder().Append(Priority).Append(' ').Append(Target);
        foreach (var (key, value) in _parameters)
        {
            builder.Append(' ');
            AppendParameter(builder, key, value);
        }

        return builder.ToString();
    }

    internal static SvcbData Read(DnsRecordType type, ref DnsReader reader, int end)
    {
        var priority = reader.ReadUInt16();
        var target = reader.ReadName();
        var parameters = new List<(ushort, byte[])>();
        while (reader.Position < end)
        {
            var key = reader.ReadUInt16();
            var length = reader.ReadUInt16();
            parameters.Add((key, reader.ReadBytes(length).ToArray()));
        }

        return new SvcbData(type, priority, target, parameters);
    }

    private static void AppendParameter(StringBuilder builder, ushort key, byte[] value)
    {
        var ok = key switch
        {
            0 => AppendList(builder, "mandatory", value, 2, v => Mnemonic(BinaryPrimitives.ReadUInt16BigEndian(v))),
            1 => AppendAlpn(builder, value),
            2 when value.Length == 0 => builder.Append("no-default-alpn") is not null,
            3 when value.Length == 2 => builder.Append("port=").Append(BinaryPrimitives.ReadUInt16BigEndian(value)) is not null,
            4 => AppendList(builder, "ipv4hint", value, 4, v => new IPAddress(v).ToString()),
            5 => builder.Append("ech=").Append(Convert.ToBase64String(value)) is not null,
            6 => AppendList(builder, "ipv6hint", value, 16, v => new IPAddress(v).ToString()),
            _ => false,
        };
        if (!ok)
        {
            builder.Append("key").Append(key);
            if (value.Length > 0)
            {
                builder.Append('=');
                RecordText.AppendQuoted(builder, value);
            }
        }
    }

    private static string Mnemonic(ushort key) => key switch
    {
        0 => "mandatory",
        1 => "alpn",
        2 => "no-default-alpn",
        3 => "port",
        4 => "ipv4hint",
        5 => "ech",
        6 => "ipv6hint",
        _ => "key" + key.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static bool AppendList(StringBuilder builder, string name, byte[] value, int size, Func<byte[], string> format)
    {
        if (value.Length == 0 || value.Length % size != 0)
        {
            return false;
        }

        var items = value.Chunk(size).Select(format);
        builder.Append(name).Append('=').AppendJoin(',', items);
        return true;
    }

    private static bool AppendAlpn(StringBuilder builder, byte[] value)
    {
        var ids = new List<string>();
        var position = 0;
        while (position < value.Length)
        {
            var length = value[position];
            if (length == 0 || position + 1 + length > value.Length)
            {
                return false;
            }

            ids.Add(Encoding.ASCII.GetString(value, position + 1, length));
            position += 1 + length;
        }

        builder.Append("alpn=\"").AppendJoin(',', ids).Append('"');
        return ids.Count > 0;
    }
}
