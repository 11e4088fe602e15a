using Microsoft.Extensions.Options;
using Resolver.Cli;
using Resolver.Core.Listeners;
using Resolver.Hosting;

namespace Resolver;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (CommandLine.IsCommand(args))
        {
            return await CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }

        PreferInlineSocketCompletions();
        var configPath = ConfigurationFile.Resolve(args);
        if (!File.Exists(configPath))
        {
            await Console.Error.WriteLineAsync($"Configuration file not found: {configPath} (pass --config PATH).").ConfigureAwait(false);
            return 2;
        }

        try
        {
            var app = ResolverHost.Build(args, configPath);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration in {configPath}:\n  {string.Join("\n  ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (ListenerBindException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 3;
        }
        catch (InvalidDataException e)
        {
            // The file is not JSON: the inner exception says where ("LineNumber: 3 | BytePositionInLine: 2").
            await Console.Error.WriteLineAsync($"Cannot read {configPath}: {e.InnerException?.Message ?? e.Message} {e.InnerException?.InnerException?.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
        {
            // Bad values (e.g. "abc" for a number: the message names the key) and an admin port in use.
            await Console.Error.WriteLineAsync($"Cannot start with {configPath}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>
    /// Runs socket continuations on .NET's epoll threads (one per CPU) instead of posting each to the thread pool:
    /// an upstream answer is read, cached and sent to the client where it arrived, with no thread hop. That halved
    /// the CPU a cache miss costs (about 110 to 70 µs, `benchmarks/load/harness.sh` miss mode). It is safe because
    /// nothing after a socket await blocks. The runtime reads this variable once, at its first socket, so it is
    /// set before anything else; an operator's own value wins.
    /// </summary>
    private static void PreferInlineSocketCompletions()
    {
        const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
