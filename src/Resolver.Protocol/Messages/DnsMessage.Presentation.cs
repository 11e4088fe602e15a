using System.Text;
using Resolver.Protocol.Records;

namespace Resolver.Protocol.Messages;

public sealed partial class DnsMessage
{
    /// <summary>The message as dig prints it: header, flags, OPT pseudosection, then each section.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder()
            .Append(";; ->>HEADER<<- opcode: ").Append(Opcode.ToString().ToUpperInvariant())
            .Append(", status: ").Append(Mnemonics.ToText(ResponseCode))
            .Append(", id: ").Append(Id).Append('\n')
            .Append(";; flags:").Append(FlagsText())
            .Append("; QUERY: ").Append(Questions.Count)
            .Append(", ANSWER: ").Append(Answers.Count)
            .Append(", AUTHORITY: ").Append(Authorities.Count)
            .Append(", ADDITIONAL: ").Append(Additionals.Count + (Edns is null ? 0 : 1)).Append('\n');
        if (Edns is not null)
        {
            builder.Append("\n;; OPT PSEUDOSECTION:\n").Append(Edns).Append('\n');
        }

        builder.Append("\n;; QUESTION SECTION:\n");
        foreach (var question in Questions)
        {
            builder.Append(question).Append('\n');
        }

        AppendSection(builder, "ANSWER", Answers);
        AppendSection(builder, "AUTHORITY", Authorities);
        AppendSection(builder, "ADDITIONAL", Additionals);
        return builder.ToString();
    }

    private string FlagsText()
    {
        var flags = new StringBuilder();
        AppendFlag(flags, IsResponse, "qr");
        AppendFlag(flags, AuthoritativeAnswer, "aa");
        AppendFlag(flags, Truncated, "tc");
        AppendFlag(flags, RecursionDesired, "rd");
        AppendFlag(flags, RecursionAvailable, "ra");
        AppendFlag(flags, AuthenticData, "ad");
        AppendFlag(flags, CheckingDisabled, "cd");
        return flags.ToString();
    }

    private static void AppendFlag(StringBuilder builder, bool set, string name)
    {
        if (set)
        {
            builder.Append(' ').Append(name);
        }
    }

    private static void AppendSection(StringBuilder builder, string title, List<DnsResourceRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        builder.Append("\n;; ").Append(title).Append(" SECTION:\n");
        foreach (var record in records)
        {
            builder.Append(record).Append('\n');
        }
    }
}
