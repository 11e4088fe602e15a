namespace Resolver.Cli;

/// <summary>A failure the CLI reports as one line on the error writer, with an exit code; never a stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>1 for failures (unreachable server, HTTP error, bad configuration).</summary>
    public int ExitCode { get; init; } = 1;
}
