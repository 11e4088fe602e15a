using Microsoft.Extensions.Options;
using Resolver.Core.Listeners;

namespace Resolver.Hosting;

/// <summary>
/// Runs the resolver until it is stopped (SIGTERM, Ctrl+C, or <c>cancellationToken</c>). Exit codes: 0 after a clean stop,
/// 2 for a bad or missing configuration (the message names the key or the file), 3 for a listen address that cannot be bound.
/// </summary>
internal static class ServerStart
{
    /// <param name="configPath">The configuration file (already resolved: --config, else the default beside the binary).</param>
    /// <param name="overrides">Configuration overrides for the command-line provider (<c>--Dns:Listen:0=127.0.0.1:5353</c>).</param>
    /// <param name="error">Where start-up failures are written.</param>
    /// <param name="cancellationToken">Stops the resolver, like SIGTERM.</param>
    public static async Task<int> RunAsync(string configPath, string[] overrides, TextWriter error, CancellationToken cancellationToken)
    {
        PreferInlineSocketCompletions();
        if (!File.Exists(configPath))
        {
            await error.WriteLineAsync($"Configuration file not found: {configPath} (pass --config PATH).").ConfigureAwait(false);
            return 2;
        }

        var stopping = CancellationToken.None;
        try
        {
            var app = ResolverHost.Build(overrides, configPath);
            stopping = app.Lifetime.ApplicationStopping;
            await using (app.ConfigureAwait(false))
            {
                await ((IHost)app).RunAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // SIGTERM (or the token) before start-up finished: the host stopped what had started; a clean stop.
            await error.WriteLineAsync("Stopped before start-up finished.").ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"Invalid configuration in {configPath}:\n  {string.Join("\n  ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (ListenerBindException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 3;
        }
        catch (InvalidDataException e)
        {
            // The file is not JSON: the inner exception says where ("LineNumber: 3 | BytePositionInLine: 2").
            await error.WriteLineAsync($"Cannot read {configPath}: {e.InnerException?.Message ?? e.Message} {e.InnerException?.InnerException?.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
        {
            // Bad values (e.g. "abc" for a number: the message names the key) and an admin port in use.
            await error.WriteLineAsync($"Cannot start with {configPath}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>
    /// Runs socket continuations on .NET's epoll threads (one per CPU) instead of posting each to the thread pool:
    /// an upstream answer is read, cached and sent to the client where it arrived, with no thread hop. That halved
    /// the CPU a cache miss costs (about 110 to 70 µs, `benchmarks/load/harness.sh` miss mode). It is safe because
    /// nothing after a socket await blocks. The runtime reads this variable once, at its first socket, so it is
    /// set before the resolver opens any (the CLI's other verbs never run in the same process); an operator's own value wins.
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
