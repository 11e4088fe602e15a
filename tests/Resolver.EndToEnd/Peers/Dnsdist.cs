using System.Diagnostics;
using System.Globalization;

namespace Resolver.EndToEnd.Peers;

/// <summary>
/// dnsdist (the Debian package) on a free loopback port in front of the given resolvers, configured from
/// deploy/dnsdist.conf with its listen address and backends replaced: the configuration the README ships, on loopback.
/// </summary>
internal sealed class Dnsdist : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private Dnsdist(Process process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<Dnsdist> StartAsync(IReadOnlyList<int> resolverPorts)
    {
        var directory = Directory.CreateTempSubdirectory("dnsdist-e2e-");
        var port = FreePorts.Next();
        var shipped = await File.ReadAllLinesAsync(Path.Combine(RepositoryLayout.Root, "deploy", "dnsdist.conf"));
        var config = shipped
            .Where(l => !l.StartsWith("setLocal(", StringComparison.Ordinal) && !l.StartsWith("addLocal(", StringComparison.Ordinal)
                && !l.StartsWith("resolver(\"", StringComparison.Ordinal))
            .Append($"setLocal(\"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}\")")
            .Concat(resolverPorts.Select((p, i) => $"resolver(\"resolver-{i + 1}\", \"127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}\")"));
        var path = Path.Combine(directory.FullName, "dnsdist.conf");
        await File.WriteAllLinesAsync(path, config);

        var info = new ProcessStartInfo(ExternalTools.Dnsdist) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--supervised", "--disable-syslog", "-C", path })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dnsdist.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dnsdist = new Dnsdist(process, directory, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var probe = await ProcessRunner.RunAsync(ExternalTools.Dig, ["@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+time=1", "+tries=1", "localhost", "A"], s_startTimeout);
            if (probe.StandardOutput.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return dnsdist;
            }

            if (deadline.Elapsed > s_startTimeout || process.HasExited)
            {
                await dnsdist.DisposeAsync();
                Assert.Fail($"dnsdist did not answer on port {port} within {s_startTimeout}:\n{string.Join('\n', config)}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Delete(recursive: true);
    }
}
