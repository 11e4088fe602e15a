using System.Diagnostics;

namespace Resolver.EndToEnd.Peers;

/// <summary>Prometheus's own checker: <c>promtool check metrics</c> reads an exposition on stdin and lints it.</summary>
internal static class Promtool
{
    public const string InstallHint = "apt-get install prometheus";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    /// <summary>The path of promtool; a missing one fails the test with the install command.</summary>
    public static string Path
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
            foreach (var directory in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = System.IO.Path.Combine(directory, "promtool");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            Assert.Fail($"'promtool' is not installed; the metrics tests need it. Run `{InstallHint}`.");
            return "promtool";
        }
    }

    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="exposition"/>; exit code 0 means no problem found.</summary>
    public static async Task<CommandOutput> CheckMetricsAsync(string exposition)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("metrics");

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start promtool.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();

        using var deadline = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"promtool check metrics did not finish within {s_timeout.TotalSeconds} s.\n{await stdout}\n{await stderr}");
        }

        return new CommandOutput(process.ExitCode, await stdout, await stderr);
    }
}
