namespace Resolver.Core.Tests.Upstreams;

/// <summary>How a <see cref="FakeUpstream"/> misbehaves (or not) when it replies.</summary>
public enum FakeBehavior
{
    /// <summary>Answer from the zone.</summary>
    Answer,

    /// <summary>Never reply.</summary>
    Drop,

    /// <summary>Reply SERVFAIL.</summary>
    ServFail,

    /// <summary>Reply REFUSED.</summary>
    Refused,

    /// <summary>Reply with 20 random bytes.</summary>
    Garbage,

    /// <summary>The correct answer with ID + 1.</summary>
    WrongId,

    /// <summary>The correct answer with the question name changed to <c>evil.test.</c>.</summary>
    WrongQuestion,

    /// <summary>Over UDP TC=1 with no records; over TCP the full answer.</summary>
    Truncate,

    /// <summary>Over UDP TC=1 with no records; over TCP the connection is reset without an answer.</summary>
    TruncateThenReset,

    /// <summary>The correct answer, sent from another port than the one asked (an off-path spoofer's datagram).</summary>
    WrongSource,

    /// <summary>Over UDP 80 % of answers lost, and a quarter of the rest TC=1 with no records; over TCP the full answer.</summary>
    Lossy,

    /// <summary>Answers for two seconds, then silent for two, and so on.</summary>
    Flapping,

    /// <summary>The correct answer cut off after its question, its counts unchanged: it passes the ID and question checks but cannot be read.</summary>
    CutShort,
}
