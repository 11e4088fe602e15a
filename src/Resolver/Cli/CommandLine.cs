using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Resolver.Admin;
using Resolver.Hosting;

namespace Resolver.Cli;

/// <summary>
/// The whole command line: <c>serve</c> (also when no verb is given: only <c>--config PATH</c> and configuration
/// overrides such as <c>--Dns:Listen:0=127.0.0.1:5353</c>), <c>check-config</c>, and the admin verbs (flush, cache,
/// upstreams, drain, undrain, stats, watch, audit), which call the admin HTTP API of a running resolver and print a readable
/// answer, or with --json the server's JSON as is. --help, -h, -?, --version and the [suggest] directive never start
/// the server. Exit codes: 0 success; 1 failure (unreachable, HTTP error, a peer failed a fleet flush); 2 usage error
/// (an unknown verb or option; the same code as a bad configuration, like getopt tools) or a bad configuration;
/// 3 (serve) a listen address that cannot be bound.
/// </summary>
internal static partial class CommandLine
{
    /// <summary>Starts the resolver and returns its exit code; tests pass their own to see whether it would start.</summary>
    internal delegate Task<int> ServeAction(string configPath, string[] overrides, TextWriter error, CancellationToken cancellationToken);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, ServerStart.RunAsync, cancellationToken);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, ServeAction serve, CancellationToken cancellationToken)
    {
        var root = new Verbs(output, error, serve).Root;
        var parse = root.Parse(ServesImplicitly(args) ? ["serve", .. args] : args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }

            if (parse.CommandResult.Command == root)
            {
                // An unknown verb: the usage, with every verb, on the error writer.
                await error.WriteLineAsync().ConfigureAwait(false);
                await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = error, Error = error }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await error.WriteLineAsync($"Run 'resolver {parse.CommandResult.Command.Name} --help' for usage.").ConfigureAwait(false);
            }

            return 2;
        }

        try
        {
            var invocation = new InvocationConfiguration { Output = output, Error = error };
            if (parse.CommandResult.Command.Name == "serve")
            {
                // The host owns SIGTERM and Ctrl+C, with its own grace (Dns:ShutdownGrace, up to a minute): System.CommandLine's
                // handler, whose documented contract is to end the invocation 2 s after the signal, is not registered.
                // (With both registered, a 3.5 s stop still ended cleanly in ServeVerbTests; this keeps one owner.)
                invocation.ProcessTerminationTimeout = null;
            }

            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// True when the arguments are only <c>--config PATH</c> and configuration overrides (<c>--Key:Sub=value</c> or
    /// <c>--Key:Sub value</c>), or nothing: the README's <c>dotnet run -- --config config/appsettings.json</c> serves.
    /// </summary>
    internal static bool ServesImplicitly(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == ConfigurationFile.Switch)
            {
                i++;
            }
            else if (arg.StartsWith(ConfigurationFile.Switch + "=", StringComparison.Ordinal))
            {
                continue;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                if (!arg.Contains('=', StringComparison.Ordinal))
                {
                    i++; // "--Key:Sub value"
                }
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The informational version of this assembly (with the commit when the build knows it).</summary>
    internal static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The command tree, bound to the writers of one run.</summary>
    private sealed partial class Verbs
    {
        private readonly TextWriter _output;
        private readonly TextWriter _error;
        private readonly ServeAction _serve;

        private readonly Option<bool> _json = new("--json") { Description = "Print the server's JSON answer as is (for scripts).", Recursive = true };
        private readonly Option<string?> _url = new("--url") { Description = $"The admin API base URL (default: ${AdminEndpoint.UrlVariable}, else Admin:Urls of the configuration).", Recursive = true };
        private readonly Option<string?> _token = new("--token") { Description = $"A bearer token; other local users can see it (ps): prefer --token-file or ${AdminEndpoint.TokenVariable}.", Recursive = true };
        private readonly Option<string?> _tokenFile = new("--token-file") { Description = $"A file holding the bearer token (default: ${AdminEndpoint.TokenVariable}, else Admin:Tokens or the generated token file).", Recursive = true };
        private readonly Option<string?> _config = new("--config") { Description = "The resolver's configuration file (default: appsettings.json next to the executable).", Recursive = true };

        public Verbs(TextWriter output, TextWriter error, ServeAction serve)
        {
            _output = output;
            _error = error;
            _serve = serve;
            Root = new RootCommand("A caching DNS resolver: run it (serve, the default), check a configuration file, or inspect and change a running one through its admin API.")
            {
                _json, _url, _token, _tokenFile, _config,
            };
            foreach (var version in Root.Options.OfType<VersionOption>())
            {
                version.Action = new PrintVersion(output);
            }

            Root.Subcommands.Add(Serve());
            Root.Subcommands.Add(CheckConfig());
            Root.Subcommands.Add(Flush());
            Root.Subcommands.Add(Read("cache", "Show what the cache holds for a name: each type, its records, TTL left, stale or not, which upstream answered, hits."));
            Root.Subcommands.Add(Read("upstreams", "Show each upstream's health: state, smoothed RTT, in flight, queries, failures, timeouts."));
            Root.Subcommands.Add(Drain(drain: true));
            Root.Subcommands.Add(Drain(drain: false));
            Root.Subcommands.Add(Read("stats", "Show cache statistics: entries by kind, hit ratio, evictions, size."));
            Root.Subcommands.Add(Watch());
            Root.Subcommands.Add(Read("audit", $"Show the last {AuditTrail.Capacity} flushes, drains and watch changes (who, from where, what), newest first, and which token you use."));
        }

        public RootCommand Root { get; }

        private Command Flush()
        {
            var name = new Argument<string?>("name") { Description = "The name to flush (all types unless --type).", Arity = ArgumentArity.ZeroOrOne };
            var type = new Option<string?>("--type") { Description = "Only this record type (A, AAAA, MX, TYPE65280, ...)." };
            var subtree = new Option<bool>("--subtree") { Description = "The name and every name below it." };
            var negative = new Option<bool>("--negative") { Description = "Only negative entries (NXDOMAIN, NODATA)." };
            var stale = new Option<bool>("--stale") { Description = "Only stale (expired) entries." };
            var all = new Option<bool>("--all") { Description = "Everything (instead of a name)." };
            var fleet = new Option<bool>("--fleet") { Description = "Also on every peer of Admin:Peers." };
            var command = new Command("flush", "Remove entries from the cache: a name (one type or all), a subtree, only negative or stale ones, or everything.")
            {
                name, type, subtree, negative, stale, all, fleet,
            };
            command.Validators.Add(result =>
            {
                var hasName = result.GetValue(name) is not null;
                var isAll = result.GetValue(all);
                if (hasName == isAll)
                {
                    result.AddError(isAll ? "Give either a name or --all, not both." : "Give a name to flush, or --all.");
                }
                else if (isAll && (result.GetValue(type) is not null || result.GetValue(subtree)))
                {
                    result.AddError("--type and --subtree go with a name, not with --all.");
                }
            });
            command.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                var request = new FlushRequest(
                    Name: parse.GetValue(name),
                    Type: parse.GetValue(type),
                    Subtree: parse.GetValue(subtree),
                    NegativeOnly: parse.GetValue(negative),
                    StaleOnly: parse.GetValue(stale),
                    All: parse.GetValue(all),
                    Fleet: parse.GetValue(fleet));
                using var client = Client(parse, needsAdmin: true);
                var body = await client.PostAsync("api/v1/cache/flush", request, AdminJson.Default.FlushRequest, cancellationToken).ConfigureAwait(false);
                var response = AdminClient.Read(body, AdminJson.Default.FlushResponse);
                var ok = response.Peers.All(p => p.Error is null);
                if (parse.GetValue(_json))
                {
                    await _output.WriteLineAsync(body).ConfigureAwait(false);
                }
                else
                {
                    ok = CliOutput.Flush(_output, response, request.Fleet);
                }

                return ok ? 0 : 1;
            }));
            return command;
        }

        /// <summary>A read-only verb: cache NAME, upstreams, stats or audit.</summary>
        private Command Read(string verb, string description)
        {
            var command = new Command(verb, description);
            var name = new Argument<string>("name") { Description = "The domain name to look up in the cache." };
            if (verb == "cache")
            {
                command.Arguments.Add(name);
            }

            command.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                var path = verb switch
                {
                    "cache" => "api/v1/cache?name=" + Uri.EscapeDataString(parse.GetValue(name)!), // the query form carries the root (".") too
                    "stats" => "api/v1/cache/stats",
                    "audit" => "api/v1/audit",
                    _ => "api/v1/upstreams",
                };
                using var client = Client(parse, needsAdmin: false);
                var body = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () =>
                {
                    switch (verb)
                    {
                        case "cache":
                            CliOutput.Cache(_output, AdminClient.Read(body, AdminJson.Default.CacheNameView));
                            break;
                        case "stats":
                            CliOutput.Stats(_output, AdminClient.Read(body, AdminJson.Default.CacheStatsView));
                            break;
                        case "audit":
                            CliOutput.Audit(_output, AdminClient.Read(body, AdminJson.Default.AuditView));
                            break;
                        default:
                            CliOutput.Upstreams(_output, AdminClient.Read(body, AdminJson.Default.IReadOnlyListUpstreamView));
                            break;
                    }
                }).ConfigureAwait(false);
                return 0;
            }));
            return command;
        }

        /// <summary>The server's JSON with --json, else the readable form.</summary>
        private async Task WriteAsync(ParseResult parse, string body, Action readable)
        {
            if (parse.GetValue(_json))
            {
                await _output.WriteLineAsync(body).ConfigureAwait(false);
            }
            else
            {
                readable();
            }
        }

        private AdminClient Client(ParseResult parse, bool needsAdmin)
        {
            var token = parse.GetValue(_token);
            if (!string.IsNullOrWhiteSpace(token))
            {
                _error.WriteLine(
                    $"warning: a token on the command line is visible to other local users (ps, /proc/<pid>/cmdline); set {AdminEndpoint.TokenVariable} or use --token-file PATH instead.");
            }

            return new AdminClient(AdminEndpoint.Resolve(parse.GetValue(_url), token, parse.GetValue(_tokenFile), parse.GetValue(_config), needsAdmin));
        }

        /// <summary>Runs a verb; a <see cref="CliException"/> becomes one line on the error writer and its exit code.</summary>
        private async Task<int> GuardAsync(Func<Task<int>> verb)
        {
            try
            {
                return await verb().ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await _error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return e.ExitCode;
            }
        }
    }
}
