using System.CommandLine;
using System.CommandLine.Invocation;
using Resolver.Hosting;

namespace Resolver.Cli;

internal static partial class CommandLine
{
    private sealed partial class Verbs
    {
        /// <summary>serve [--config PATH] [--Key:Sub=value ...]: the tokens System.CommandLine does not know are configuration overrides.</summary>
        private Command Serve()
        {
            var command = new Command(
                "serve",
                "Run the resolver (also when no verb is given). Configuration overrides follow as --Key:Sub=value, e.g. --Dns:Listen:0=127.0.0.1:5353. " +
                "Exit codes: 2 bad configuration, 3 a listen address that cannot be bound.")
            {
                TreatUnmatchedTokensAsErrors = false,
            };
            command.SetAction((parse, cancellationToken) => _serve(ConfigPath(parse), [.. parse.UnmatchedTokens], _error, cancellationToken));
            return command;
        }

        /// <summary>check-config [--config PATH]: the checks start-up makes, without binding or creating anything.</summary>
        private Command CheckConfig()
        {
            var command = new Command(
                "check-config",
                "Check a configuration file as start-up would (JSON, every section's values and limits) without binding or creating anything. " +
                "Prints OK and exits 0, or each problem and exits 2.");
            command.SetAction(async (parse, cancellationToken) =>
            {
                var path = ConfigPath(parse);
                var problems = ConfigurationCheck.Check(path);
                if (problems.Count > 0)
                {
                    foreach (var problem in problems)
                    {
                        await _error.WriteLineAsync($"{path}: {problem}").ConfigureAwait(false);
                    }

                    return 2;
                }

                await _output.WriteLineAsync($"OK: {path}").ConfigureAwait(false);
                await _output.WriteLineAsync("Not checked: " + ConfigurationCheck.NotChecked).ConfigureAwait(false);
                return 0;
            });
            return command;
        }

        /// <summary>--config as a full path, else the appsettings.json beside the executable.</summary>
        private string ConfigPath(ParseResult parse) =>
            parse.GetValue(_config) is { Length: > 0 } path ? System.IO.Path.GetFullPath(path) : ConfigurationFile.Default;
    }

    /// <summary>--version: this assembly's informational version (System.CommandLine's own reads the entry assembly's).</summary>
    private sealed class PrintVersion(TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            output.WriteLine(Version);
            return 0;
        }
    }
}
