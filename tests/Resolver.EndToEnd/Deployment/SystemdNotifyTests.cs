using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>
/// The Type=notify contract of deploy/resolver.service: started by systemd, the resolver sends READY=1 on
/// $NOTIFY_SOCKET once it is up (systemd holds "systemctl start" and dependent units until then, and kills it
/// after TimeoutStartSec without it), and STOPPING=1 on SIGTERM. Microsoft.Extensions.Hosting.Systemd talks to
/// systemd only when the parent process is called "systemd", so the test's stand-in is a copy of /bin/sh by that
/// name, and the test plays systemd's side of the socket.
/// </summary>
public sealed partial class SystemdNotifyTests : IDisposable
{
    private const int Sigterm = 15;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("resolver-notify-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Resolver_under_systemd_sends_READY_when_up_and_STOPPING_on_SIGTERM()
    {
        await using var resolver = UnderSystemd.Start(_directory.FullName);

        var ready = await resolver.ReceiveAsync();
        Assert.True(ready.Contains("READY=1", StringComparison.Ordinal), $"The first notification was '{ready}', not READY=1.\n{resolver.Output}");

        await resolver.SigtermAsync();
        var stopping = await resolver.ReceiveAsync();
        Assert.True(stopping.Contains("STOPPING=1", StringComparison.Ordinal), $"After SIGTERM the notification was '{stopping}', not STOPPING=1.\n{resolver.Output}");

        await resolver.WaitForExitAsync();
    }

    [Fact]
    public async Task Resolver_under_systemd_logs_JSON_when_the_configuration_asks_for_it()
    {
        var (lines, output) = await LogLinesOfARunAsync("--Logging:Console:FormatterName=json");

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(IsJsonObject(line), $"Not a JSON log line: '{line}'\n{output}"));
    }

    [Fact]
    public async Task Resolver_under_systemd_logs_in_the_journal_format_by_default()
    {
        var (lines, output) = await LogLinesOfARunAsync();

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(JournalPriority().IsMatch(line), $"No <priority> prefix: '{line}'\n{output}"));
    }

    /// <summary>Starts the resolver under systemd, stops it once it is ready, and returns what it wrote on stdout (the log) and both streams.</summary>
    private async Task<(IReadOnlyList<string> Lines, string Output)> LogLinesOfARunAsync(params string[] extraArguments)
    {
        await using var resolver = UnderSystemd.Start(_directory.FullName, extraArguments);
        await resolver.ReceiveAsync(); // READY=1: the start-up lines are written
        await resolver.SigtermAsync();
        await resolver.WaitForExitAsync();

        return ([.. resolver.StandardOutputLines.Skip(1)], resolver.Output); // the first line is the child's PID, from "systemd"
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex JournalPriority();

    private static string Port() => FreePorts.Next().ToString(CultureInfo.InvariantCulture);

    // DllImport, not LibraryImport: the generated LibraryImport stub needs unsafe code in this project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// The resolver run by "systemd" (a copy of sh by that name), which prints the child's PID first and waits for it;
    /// the test holds the notify socket. The configuration is the shipped file with free loopback ports, upstreams on
    /// loopback ports, state in the temp directory, and any extra arguments.
    /// </summary>
    private sealed class UnderSystemd : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Socket _notify;
        private readonly StringBuilder _output = new();
        private readonly List<string> _standardOutput = [];
        private readonly TaskCompletionSource<int> _childPid = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private UnderSystemd(Socket notify, ProcessStartInfo info)
        {
            _notify = notify;
            _process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the resolver.");
            _process.OutputDataReceived += (_, e) => OnLine(e.Data, isStandardOutput: true);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data, isStandardOutput: false);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        /// <summary>Both streams, for failure messages.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public IReadOnlyList<string> StandardOutputLines
        {
            get
            {
                lock (_output)
                {
                    return [.. _standardOutput];
                }
            }
        }

        public static UnderSystemd Start(string directory, params string[] extraArguments)
        {
            var socketPath = Path.Combine(directory, "notify");
            var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(socketPath));
            var parent = Path.Combine(directory, "systemd");
            File.Copy("/bin/sh", parent);

            var info = new ProcessStartInfo(parent)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            info.Environment["NOTIFY_SOCKET"] = socketPath;
            string[] arguments =
            [
                "-c", "\"$@\" & echo $!; wait $!", "sh",
                RepositoryLayout.DotnetHost,
                RepositoryLayout.ResolverDll,
                "--config", Path.Combine(RepositoryLayout.Root, "config", "appsettings.json"),
                $"--Dns:Listen:0=127.0.0.1:{Port()}",
                $"--Dns:Listen:1=127.0.0.1:{Port()}",
                $"--Upstreams:Servers:0:Address=127.0.0.1:{Port()}",
                $"--Upstreams:Servers:1:Address=127.0.0.1:{Port()}",
                "--Upstreams:Servers:1:Transport=Udp",
                $"--Admin:Urls=http://127.0.0.1:{Port()}",
                $"--Admin:TokenFile={Path.Combine(directory, "admin-token")}",
                $"--Cache:SnapshotPath={Path.Combine(directory, "cache.snapshot")}",
                .. extraArguments,
            ];
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            return new UnderSystemd(notify, info);
        }

        /// <summary>The next notification the resolver sends on NOTIFY_SOCKET.</summary>
        public async Task<string> ReceiveAsync()
        {
            var buffer = new byte[4096];
            using var deadline = new CancellationTokenSource(s_timeout);
            try
            {
                var length = await _notify.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No notification on NOTIFY_SOCKET within {s_timeout.TotalSeconds} s.\n{Output}");
                throw;
            }
        }

        /// <summary>SIGTERM to the resolver, as "systemctl stop" sends.</summary>
        public async Task SigtermAsync()
        {
            var pid = await _childPid.Task.WaitAsync(s_timeout);
            Assert.Equal(0, Kill(pid, Sigterm));
        }

        /// <summary>Waits for the resolver (and "systemd" with it) to exit, and checks it exited 0.</summary>
        public async Task WaitForExitAsync()
        {
            using var deadline = new CancellationTokenSource(s_timeout);
            await _process.WaitForExitAsync(deadline.Token);
            Assert.True(_process.ExitCode == 0, $"The resolver exited {_process.ExitCode} after SIGTERM.\n{Output}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            _notify.Dispose();
        }

        private void OnLine(string? line, bool isStandardOutput)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
                if (isStandardOutput)
                {
                    _standardOutput.Add(line);
                }
            }

            if (isStandardOutput && int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                _childPid.TrySetResult(pid);
            }
        }
    }
}
