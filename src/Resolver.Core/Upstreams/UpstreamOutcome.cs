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

    /// <summary>
    /// Not an upstream's doing: a watched name's negative answer (or failure) held back while the positive answer the
    /// cache holds is served (<c>FlipGuard</c>).
    /// </summary>
    Held,
}

/// <summary>
/// What one question to the upstreams produced: the answer as the caller read it (<see cref="AnswerReader{T}"/>),
/// or why there is none; <see cref="Server"/> is who said it.
/// </summary>
public sealed record UpstreamResult<T>(UpstreamOutcome Outcome, T? Answer, UpstreamServer? Server, string? Error)
    where T : class
{
    public bool IsAnswer => Outcome == UpstreamOutcome.Answer;
}

/// <summary>
/// Reads a NOERROR or NXDOMAIN response (its ID and question already checked) into what the caller keeps, in
/// one pass; null when it cannot be used, which fails that try like garbage would, and the next upstream is asked.
/// </summary>
public delegate T? AnswerReader<T>(ReadOnlySpan<byte> response, UpstreamServer server)
    where T : class;
