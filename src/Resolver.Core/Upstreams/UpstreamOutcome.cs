namespace Resolver.Core.Upstreams;

public enum UpstreamOutcome
{
    /// <summary>NOERROR or NXDOMAIN: an answer to cache and serve.</summary>
    Answer,
    ServFail,
    Refused,
    Timeout,

    /// <summary>Unparsable, or an RCODE a resolver cannot use.</summary>
    Malformed,
    NetworkError,

    /// <summary>The outstanding-query cap was reached; no upstream was asked.</summary>
    Overloaded,
}

/// <summary>What one question to the upstreams produced; <see cref="Server"/> is who said it.</summary>
public sealed record UpstreamResult(UpstreamOutcome Outcome, byte[]? Response, UpstreamServer? Server, string? Error)
{
    public bool IsAnswer => Outcome == UpstreamOutcome.Answer;
}
