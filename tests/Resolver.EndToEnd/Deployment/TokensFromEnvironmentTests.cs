using System.Globalization;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>
/// Tokens kept out of files: the resolver takes one from its environment (Admin__Tokens__N__…, as systemd's
/// Environment= or a container gives it), and the CLI sends one from RESOLVER_TOKEN, without the warning
/// that --token gets.
/// </summary>
public sealed class TokensFromEnvironmentTests
{
    private const string EnvironmentToken = "from-the-environment-0123456789abcdef";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_token_given_in_the_environment_is_accepted_and_the_CLI_sends_RESOLVER_TOKEN()
    {
        await using var resolver = await ResolverProcess.StartAsync(
            [FreePorts.Next()],
            environment: new Dictionary<string, string>
            {
                // Index 1: the configuration file holds token 0, the environment adds a second one.
                ["Admin__Tokens__1__Name"] = "ops-env",
                ["Admin__Tokens__1__Token"] = EnvironmentToken,
                ["Admin__Tokens__1__Role"] = "Admin",
            });
        var url = $"http://127.0.0.1:{resolver.AdminPort.ToString(CultureInfo.InvariantCulture)}";

        Task<CommandOutput> FlushAsync(string token) => ProcessRunner.RunAsync(
            RepositoryLayout.DotnetHost, [RepositoryLayout.ResolverDll, "flush", "gone.example", "--url", url], s_timeout, new Dictionary<string, string> { ["RESOLVER_TOKEN"] = token });

        var cli = await FlushAsync(EnvironmentToken);
        var refused = await FlushAsync("not-a-token-of-this-resolver-0123456789");

        Assert.True(cli.ExitCode == 0, $"exit {cli.ExitCode}:\n{cli.StandardOutput}{cli.StandardError}");
        Assert.Equal("Removed 0 entries.", cli.StandardOutput.Trim());
        Assert.Equal(string.Empty, cli.StandardError); // no warning: the token is not on the command line
        Assert.Contains("AUDIT flush by ops-env from 127.0.0.1", resolver.Log.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("401", refused.StandardError, StringComparison.Ordinal);
    }
}
