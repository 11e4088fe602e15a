using System.CommandLine;
using Resolver.Admin;

namespace Resolver.Cli;

internal static partial class CommandLine
{
    private sealed partial class Verbs
    {
        /// <summary>watch list | add NAME [--subtree] [--hold] [--probe-interval] | remove NAME | accept NAME.</summary>
        private Command Watch()
        {
            var command = new Command("watch", "Watched names: a negative answer for one replaces its cached positive answer only after it has lasted the hold.");
            var list = new Command("list", "Show the watched names and the holds in progress.");
            list.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                using var client = Client(parse, needsAdmin: false);
                var body = await client.GetAsync("api/v1/watch", cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () => CliOutput.Watch(_output, AdminClient.Read(body, AdminJson.Default.WatchListView))).ConfigureAwait(false);
                return 0;
            }));

            var name = new Argument<string>("name") { Description = "The domain name." };
            var subtree = new Option<bool>("--subtree") { Description = "The names below it too." };
            var hold = new Option<TimeSpan?>("--hold") { Description = "How long a negative answer must last before it is served (default 00:15:00)." };
            var probe = new Option<TimeSpan?>("--probe-interval") { Description = "Re-resolve the name on this interval with no client asking (default: off)." };
            var add = new Command("add", "Watch a name, or change its rule.") { name, subtree, hold, probe };
            add.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                using var client = Client(parse, needsAdmin: true);
                var request = new WatchRequest(parse.GetValue(subtree), parse.GetValue(hold), parse.GetValue(probe));
                var body = await client.PutAsync(Path(parse.GetValue(name)!), request, AdminJson.Default.WatchRequest, cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () => CliOutput.Watched(_output, "Watching", AdminClient.Read(body, AdminJson.Default.WatchRuleView))).ConfigureAwait(false);
                return 0;
            }));

            var remove = new Command("remove", "Stop watching a name; its holds end.") { name };
            remove.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                using var client = Client(parse, needsAdmin: true);
                var body = await client.SendAsync(HttpMethod.Delete, Path(parse.GetValue(name)!), cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () => CliOutput.Watched(_output, "No longer watching", AdminClient.Read(body, AdminJson.Default.WatchRuleView))).ConfigureAwait(false);
                return 0;
            }));

            var accept = new Command("accept", "End the holds on a name now: their negative answers are served.") { name };
            accept.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                using var client = Client(parse, needsAdmin: true);
                var body = await client.SendAsync(HttpMethod.Post, Path(parse.GetValue(name)!) + "/accept", cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () => CliOutput.Accepted(_output, AdminClient.Read(body, AdminJson.Default.AcceptResponse))).ConfigureAwait(false);
                return 0;
            }));

            command.Subcommands.Add(list);
            command.Subcommands.Add(add);
            command.Subcommands.Add(remove);
            command.Subcommands.Add(accept);
            return command;
        }

        private static string Path(string name) => "api/v1/watch/" + Uri.EscapeDataString(name);
    }
}
