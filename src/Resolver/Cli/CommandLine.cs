namespace Resolver.Cli;

/// <summary>Placeholder for the CLI verbs (flush, cache, upstreams, stats) that call the admin API (being written).</summary>
internal static class CommandLine
{
    private static readonly string[] s_verbs = ["flush", "cache", "upstreams", "stats"];

    /// <summary>True when the arguments start with a CLI verb (otherwise the server runs).</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && s_verbs.Contains(args[0]);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = args;
        _ = output;
        _ = cancellationToken;
        error.WriteLine("not implemented");
        return Task.FromResult(1);
    }
}
