namespace Resolver.EndToEnd.Peers;

/// <summary>Runs dig or kdig against 127.0.0.1 on a given port, one try, and parses the output.</summary>
internal static class Dig
{
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromSeconds(15);

    /// <summary><c>dig @127.0.0.1 -p PORT +time=3 +tries=1 ARGS</c>; fails the test when dig gets no reply at all.</summary>
    public static Task<DigResponse> QueryAsync(int port, params string[] arguments) =>
        RunAsync(ExternalTools.Dig, ["@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=3", "+tries=1", .. arguments]);

    /// <summary><c>kdig @127.0.0.1 -p PORT +time=3 +retry=0 ARGS</c>.</summary>
    public static Task<DigResponse> KdigAsync(int port, params string[] arguments) =>
        RunAsync(ExternalTools.Kdig, ["@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=3", "+retry=0", .. arguments]);

    private static async Task<DigResponse> RunAsync(string tool, string[] arguments)
    {
        var output = await ProcessRunner.RunAsync(tool, arguments, s_processTimeout);
        var response = DigResponse.Parse(output.StandardOutput);
        if (output.ExitCode != 0 || response.Status.Length == 0)
        {
            Assert.Fail($"{Path.GetFileName(tool)} {string.Join(' ', arguments)} got no answer (exit {output.ExitCode}):\n{output.StandardOutput}\n{output.StandardError}");
        }

        return response;
    }
}
