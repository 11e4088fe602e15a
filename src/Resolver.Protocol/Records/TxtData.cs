using System.Text;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Records;

/// <summary>TXT: one or more &lt;character-string&gt;s of arbitrary bytes (RFC 1035 §3.3.14).</summary>
public sealed class TxtData : DnsRecordData
{
    private readonly byte[][] _strings;

    public TxtData(IEnumerable<byte[]> strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        _strings = [.. strings];
        if (_strings.Any(s => s.Length > byte.MaxValue))
        {
            throw new ArgumentException("Each TXT string holds at most 255 bytes.", nameof(strings));
        }
    }

    public TxtData(params string[] strings)
        : this(strings.Select(Encoding.UTF8.GetBytes))
    {
    }

    public IReadOnlyList<byte[]> Strings => _strings;

    public override DnsRecordType Type => DnsRecordType.TXT;

    public override bool TryWrite(ref DnsWriter writer)
    {
        foreach (var s in _strings)
        {
            if (!writer.TryWriteCharacterString(s))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var s in _strings)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            RecordText.AppendQuoted(builder, s);
        }

        return builder.ToString();
    }

    internal static TxtData Read(ref DnsReader reader, int end)
    {
        var strings = new List<byte[]>();
        while (reader.Position < end)
        {
            strings.Add(reader.ReadCharacterString().ToArray());
        }

        return new TxtData(strings);
    }
}
