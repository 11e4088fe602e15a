using System.Diagnostics;
using System.Globalization;

namespace Resolver.EndToEnd.Peers;

/// <summary>
/// One NSD serving a copy of Zones/test.example.zone on 127.0.0.1 at a free port, as the current user in
/// a temp directory; <see cref="AddRecordAsync"/> changes the zone while it runs. Stopped by killing the
/// process it started (and that process's children) by PID.
/// </summary>
internal sealed class Nsd : IAsyncDisposable
{
    public const string Zone = "test.example";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ProcessLog _log;
    private readonly DirectoryInfo _directory;

    private Nsd(Process process, ProcessLog log, DirectoryInfo directory, int port)
    {
        _process = process;
        _log = log;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static async Task<Nsd> StartAsync()
    {
        var nsd = ExternalTools.Nsd;
        ExternalTools.Require("dig");
        var directory = Directory.CreateTempSubdirectory("resolver-e2e-nsd-");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Zones", Zone + ".zone"), ZoneFile(directory.FullName));
        var port = FreePorts.Next();
        var config = Path.Combine(directory.FullName, "nsd.conf");
        await File.WriteAllTextAsync(config, Configuration(directory.FullName, port));

        var info = new ProcessStartInfo(nsd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start nsd.");
        var log = new ProcessLog(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new Nsd(process, log, directory, port);
        try
        {
            await server.WaitUntilAnsweringAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Appends a record in zone-file form (relative to the zone, e.g. "www.nx7 300 IN A 192.0.2.77"), has
    /// NSD reload (SIGHUP to the PID it started) and waits until it serves <paramref name="name"/>.
    /// </summary>
    public async Task AddRecordAsync(string record, string name, string type)
    {
        await File.AppendAllTextAsync(ZoneFile(_directory.FullName), record + "\n");
        await ReloadAsync(name, type, probe => probe.Status == "NOERROR" && probe.Answer.Count > 0, "serve");
    }

    /// <summary>
    /// Deletes every record of <paramref name="owner"/> (relative to the zone, as the zone file writes it, e.g. "www"),
    /// has NSD reload and waits until it answers NXDOMAIN for <paramref name="name"/>.
    /// </summary>
    public async Task RemoveNameAsync(string owner, string name)
    {
        var file = ZoneFile(_directory.FullName);
        var lines = await File.ReadAllLinesAsync(file);
        await File.WriteAllLinesAsync(file, lines.Where(line => line.Split(' ', '\t').FirstOrDefault() != owner));
        await ReloadAsync(name, "A", probe => probe.Status == "NXDOMAIN", "deny");
    }

    /// <summary>SIGHUP to the PID it started, then waits until <paramref name="reloaded"/> holds for its answer to <paramref name="name"/>.</summary>
    private async Task ReloadAsync(string name, string type, Func<DigResponse, bool> reloaded, string what)
    {
        var signal = await ProcessRunner.RunAsync("kill", ["-HUP", ProcessId.ToString(CultureInfo.InvariantCulture)], s_startTimeout);
        Assert.True(signal.ExitCode == 0, signal.StandardError);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_startTimeout)
        {
            if (reloaded(await Dig.QueryAsync(Port, "+norecurse", name, type)))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"NSD on 127.0.0.1:{Port} did not {what} {name} {type} within {s_startTimeout.TotalSeconds} s of the reload.\n{_log}");
    }

    /// <summary>Kills this NSD (by its PID, with the server children it forked) and waits until its port is released.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(s_stopTimeout);
        await _process.WaitForExitAsync(deadline.Token);
        while (!FreePorts.IsUdpFree(Port))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
            _directory.Delete(recursive: true);
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_startTimeout)
        {
            if (_process.HasExited)
            {
                break;
            }

            var probe = await ProcessRunner.RunAsync(
                ExternalTools.Dig,
                ["@127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "+short", "+time=1", "+tries=1", Zone, "SOA"],
                s_startTimeout);
            if (probe.ExitCode == 0 && probe.StandardOutput.Length > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        var nsdLog = Path.Combine(_directory.FullName, "nsd.log");
        var logText = File.Exists(nsdLog) ? await File.ReadAllTextAsync(nsdLog) : "(no nsd.log)";
        Assert.Fail($"NSD on 127.0.0.1:{Port} did not answer within {s_startTimeout.TotalSeconds} s.\n{_log}\nnsd.log:\n{logText}");
    }

    private static string ZoneFile(string directory) => Path.Combine(directory, Zone + ".zone");

    private static string Configuration(string directory, int port)
    {
        var zoneFile = ZoneFile(directory);
        return $"""
            server:
              ip-address: 127.0.0.1@{port}
              username: ""
              chroot: ""
              server-count: 1
              database: ""
              zonesdir: "{directory}"
              pidfile: "{directory}/nsd.pid"
              zonelistfile: "{directory}/zone.list"
              xfrdfile: "{directory}/xfrd.state"
              xfrdir: "{directory}"
              logfile: "{directory}/nsd.log"
            remote-control:
              control-enable: no
            zone:
              name: "{Zone}."
              zonefile: "{zoneFile}"

            """;
    }
}
