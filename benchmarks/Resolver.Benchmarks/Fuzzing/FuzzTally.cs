using System.Collections.Concurrent;
using System.Text;
using Resolver.Protocol.Messages;

namespace Resolver.Benchmarks.Fuzzing;

/// <summary>What the fuzzer sent and what came back, counted from many threads.</summary>
internal sealed class FuzzTally
{
    private static readonly string[] s_modes = ["framed", "length too long", "length too short", "empty frames", "split byte by byte", "garbage"];
    private readonly long[] _sessions = new long[s_modes.Length];
    private readonly long[] _rcodes = new long[16];
    private readonly ConcurrentQueue<string> _firstUnhandled = new();
    private long _udpSent;
    private long _udpAnswers;
    private long _tcpAnswers;
    private long _tcpClosed;
    private long _tcpQuiet;
    private long _unparsable;
    private long _unhandled;

    public long Failures => Interlocked.Read(ref _unparsable) + Interlocked.Read(ref _unhandled);

    public IEnumerable<string> FirstUnhandled => _firstUnhandled;

    public void UdpSent() => Interlocked.Increment(ref _udpSent);

    public void TcpSession(int mode) => Interlocked.Increment(ref _sessions[mode]);

    public void TcpClosedByServer() => Interlocked.Increment(ref _tcpClosed);

    public void TcpQuiet() => Interlocked.Increment(ref _tcpQuiet);

    public void Unhandled(string what)
    {
        if (Interlocked.Increment(ref _unhandled) <= 10)
        {
            _firstUnhandled.Enqueue(what);
        }
    }

    /// <summary>An answer: counted by RCODE; one that does not parse (other than a bare FORMERR header) is a defect.</summary>
    public void Answer(ReadOnlySpan<byte> message, bool tcp)
    {
        Interlocked.Increment(ref tcp ? ref _tcpAnswers : ref _udpAnswers);
        if (message.Length >= DnsHeader.Size)
        {
            Interlocked.Increment(ref _rcodes[message[3] & 0xF]);
        }

        if (message.Length != DnsHeader.Size && !DnsMessage.TryParse(message, out _, out _))
        {
            Interlocked.Increment(ref _unparsable);
        }
    }

    public string Summary(int errors) =>
        $"UDP {Interlocked.Read(ref _udpSent)} sent, {Interlocked.Read(ref _udpAnswers)} answered; TCP {_sessions.Sum()} sessions, {Interlocked.Read(ref _tcpAnswers)} answers; "
        + $"unparsable {Interlocked.Read(ref _unparsable)}, unhandled {Interlocked.Read(ref _unhandled)}, errors logged {errors}";

    public string Report(int errors)
    {
        var text = new StringBuilder();
        text.AppendLine($"UDP datagrams sent: {Interlocked.Read(ref _udpSent)}, answered: {Interlocked.Read(ref _udpAnswers)} (the rest dropped: malformed beyond a header, or responses)");
        text.AppendLine($"TCP sessions: {_sessions.Sum()}, answers read: {Interlocked.Read(ref _tcpAnswers)}, closed by the resolver: {Interlocked.Read(ref _tcpClosed)}, left waiting: {Interlocked.Read(ref _tcpQuiet)}");
        text.AppendLine("TCP sessions by framing: " + string.Join(", ", s_modes.Select((m, i) => $"{m} {Interlocked.Read(ref _sessions[i])}")));
        text.AppendLine("answers by RCODE: " + string.Join(", ", _rcodes.Select((c, i) => (Code: (DnsResponseCode)i, Count: Interlocked.Read(ref c))).Where(r => r.Count > 0).Select(r => $"{r.Code.ToString().ToUpperInvariant()} {r.Count}")));
        text.Append($"answers that do not parse: {Interlocked.Read(ref _unparsable)}; unhandled exceptions: {Interlocked.Read(ref _unhandled)}; errors logged by the resolver: {errors}");
        return text.ToString();
    }
}
