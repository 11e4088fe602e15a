using Resolver.Cli;

namespace Resolver;

/// <summary>Every invocation goes through the command line: <c>serve</c> (also with no verb), <c>check-config</c>, and the admin verbs.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
}
