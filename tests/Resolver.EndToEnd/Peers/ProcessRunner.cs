using System.Diagnostics;

namespace Resolver.EndToEnd.Peers;

/// <summary>What a finished command printed.</summary>
internal sealed record CommandOutput(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs a short-lived command with a deadline; past it the command (and only it) is killed by its process object.</summary>
internal static class ProcessRunner
{
    /// <param name="environment">Variables set for the command, beside the ones it inherits.</param>
    public static async Task<CommandOutput> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"'{fileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout.TotalSeconds} s. Output so far:\n{await stdout}\n{await stderr}");
        }

        return new CommandOutput(process.ExitCode, await stdout, await stderr);
    }
}
