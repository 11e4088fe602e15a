using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>
/// The Type=notify contract of deploy/resolver.service: started by systemd, the resolver sends READY=1 on
/// $NOTIFY_SOCKET once it is up (systemd holds "systemctl start" and dependent units until then, and kills it
/// after TimeoutStartSec without it), and STOPPING=1 on SIGTERM. Microsoft.Extensions.Hosting.Systemd talks to
/// systemd only when the parent process is called "systemd", so the test's stand-in is a copy of /bin/sh by that
/// name, and the test plays systemd's side of the socket.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private const int Sigterm = 15;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("resolver-notify-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Resolver_under_systemd_sends_READY_when_up_and_STOPPING_on_SIGTERM()
    {
        var socketPath = Path.Combine(_directory.FullName, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        var parent = Path.Combine(_directory.FullName, "systemd");
        File.Copy("/bin/sh", parent);

        using var process = Process.Start(StartInfo(parent, socketPath)) ?? throw new InvalidOperationException("Could not start the resolver.");
        var output = new StringBuilder();
        var childPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data, output, childPid);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, output, null);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ready = await ReceiveAsync(notify, output);
            Assert.True(ready.Contains("READY=1", StringComparison.Ordinal), $"The first notification was '{ready}', not READY=1.\n{output}");

            var pid = await childPid.Task.WaitAsync(s_timeout);
            Assert.Equal(0, Kill(pid, Sigterm));
            var stopping = await ReceiveAsync(notify, output);
            Assert.True(stopping.Contains("STOPPING=1", StringComparison.Ordinal), $"After SIGTERM the notification was '{stopping}', not STOPPING=1.\n{output}");

            using var deadline = new CancellationTokenSource(s_timeout);
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(process.ExitCode == 0, $"The resolver exited {process.ExitCode} after SIGTERM.\n{output}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>
    /// "systemd" (sh) runs the resolver as its child, prints the child's PID first and waits for it. The configuration
    /// is the shipped file with free loopback ports, upstreams on loopback ports, and state in the temp directory.
    /// </summary>
    private ProcessStartInfo StartInfo(string parent, string socketPath)
    {
        var info = new ProcessStartInfo(parent)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory.FullName,
        };
        info.Environment["NOTIFY_SOCKET"] = socketPath;
        string[] arguments =
        [
            "-c", "\"$@\" & echo $!; wait $!", "sh",
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            RepositoryLayout.ResolverDll,
            "--config", Path.Combine(RepositoryLayout.Root, "config", "appsettings.json"),
            $"--Dns:Listen:0=127.0.0.1:{Port()}",
            $"--Dns:Listen:1=127.0.0.1:{Port()}",
            $"--Upstreams:Servers:0:Address=127.0.0.1:{Port()}",
            $"--Upstreams:Servers:1:Address=127.0.0.1:{Port()}",
            "--Upstreams:Servers:1:Transport=Udp",
            $"--Admin:Urls=http://127.0.0.1:{Port()}",
            $"--Admin:TokenFile={Path.Combine(_directory.FullName, "admin-token")}",
            $"--Cache:SnapshotPath={Path.Combine(_directory.FullName, "cache.snapshot")}",
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static string Port() => FreePorts.Next().ToString(CultureInfo.InvariantCulture);

    private static void OnLine(string? line, StringBuilder output, TaskCompletionSource<int>? childPid)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (childPid is not null && int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            childPid.TrySetResult(pid);
        }
    }

    private static async Task<string> ReceiveAsync(Socket notify, StringBuilder output)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(s_timeout);
        try
        {
            var length = await notify.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No notification on NOTIFY_SOCKET within {s_timeout.TotalSeconds} s.\n{output}");
            throw;
        }
    }

    // DllImport, not LibraryImport: the generated LibraryImport stub needs unsafe code in this project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
