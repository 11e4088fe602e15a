using System.CommandLine;
using Resolver.Admin;

namespace Resolver.Cli;

internal static partial class CommandLine
{
    private sealed partial class Verbs
    {
        /// <summary>drain NAME / undrain NAME: POST /api/v1/upstreams/drain with an Admin token.</summary>
        private Command Drain(bool drain)
        {
            var name = new Argument<string>("name") { Description = "The upstream's name, as 'upstreams' shows it." };
            var command = new Command(
                drain ? "drain" : "undrain",
                drain ? "Take an upstream out of use by hand: no queries go to it until undrain." : "Put a drained upstream back in use.")
            {
                name,
            };
            command.SetAction((parse, cancellationToken) => GuardAsync(async () =>
            {
                using var client = Client(parse, needsAdmin: true);
                var request = new DrainRequest(parse.GetValue(name), drain);
                var body = await client.PostAsync("api/v1/upstreams/drain", request, AdminJson.Default.DrainRequest, cancellationToken).ConfigureAwait(false);
                await WriteAsync(parse, body, () =>
                {
                    var view = AdminClient.Read(body, AdminJson.Default.UpstreamView);
                    _output.WriteLine($"{view.Name} ({view.Address}): {view.State}");
                }).ConfigureAwait(false);
                return 0;
            }));
            return command;
        }
    }
}
