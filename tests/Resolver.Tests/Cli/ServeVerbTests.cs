using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Resolver.Cli;

namespace Resolver.Tests.Cli;

/// <summary>
/// serve as a verb and as the default; help, version, [suggest] and an unknown verb never start the server. In process,
/// a recording serve action stands in for the server; the Resolver.dll child processes run the real start path.
/// </summary>
public sealed class ServeVerbTests : IDisposable
{
    private const string ListeningMessage = "Listening for DNS on";

    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-serve-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Help_ListsEveryVerb_AndDoesNotServe(string help)
    {
        var run = await RunAsync(help);

        Assert.Equal(0, run.Code);
        Assert.Null(run.Served);
        foreach (var verb in (string[])["serve", "check-config", "flush", "cache", "upstreams", "drain", "undrain", "stats", "watch", "audit"])
        {
            Assert.Matches($@"(?m)^\s+{verb}\b", run.Output);
        }
    }

    [Fact]
    public async Task Version_PrintsTheInformationalVersion_AndDoesNotServe()
    {
        var run = await RunAsync("--version");

        Assert.Equal(0, run.Code);
        Assert.Null(run.Served);
        Assert.Equal(CommandLine.Version, run.Output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Output);
    }

    [Theory]
    [InlineData("srve")]
    [InlineData("bogus", "--config", "x.json")]
    [InlineData("--bogus")]
    public async Task UnknownVerbOrOption_PrintsTheErrorAndUsage_Exits2(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.Code);
        Assert.Null(run.Served);
        Assert.Contains($"Unrecognized command or argument '{args[0]}'", run.Error, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+serve\s", run.Error);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task SuggestDirective_CompletesVerbs_AndDoesNotServe()
    {
        var run = await RunAsync("[suggest]", "check");

        Assert.Equal(0, run.Code);
        Assert.Null(run.Served);
        Assert.Equal(["check-config"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("serve", "--config", "c.json", "--Dns:Listen:0=127.0.0.1:5353", "--Cache:MaxEntries", "10")]
    [InlineData("--config", "c.json", "--Dns:Listen:0=127.0.0.1:5353", "--Cache:MaxEntries", "10")]
    [InlineData("--config=c.json", "--Dns:Listen:0=127.0.0.1:5353", "--Cache:MaxEntries", "10")]
    public async Task Serve_ExplicitOrImplied_PassesTheConfigAndTheOverrides(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(0, run.Code);
        Assert.NotNull(run.Served);
        Assert.Equal(Path.GetFullPath("c.json"), run.Served.Value.ConfigPath);
        Assert.Equal(["--Dns:Listen:0=127.0.0.1:5353", "--Cache:MaxEntries", "10"], run.Served.Value.Overrides);
    }

    [Fact]
    public async Task NoArguments_ServesWithTheDefaultConfiguration()
    {
        var run = await RunAsync();

        Assert.NotNull(run.Served);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), run.Served.Value.ConfigPath);
        Assert.Empty(run.Served.Value.Overrides);
    }

    [Fact]
    public async Task ServeHelp_DoesNotServe()
    {
        var run = await RunAsync("serve", "--help");

        Assert.Equal(0, run.Code);
        Assert.Null(run.Served);
        Assert.Contains("--Dns:Listen:0=127.0.0.1:5353", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("nosuchverb")]
    public async Task ResolverDll_HelpVersionUnknown_ExitWithoutListening(string arg)
    {
        using var process = Start(arg);
        var exited = await WaitForExitAsync(process.Process, TimeSpan.FromSeconds(30));

        Assert.True(exited, $"Resolver {arg} did not exit:\n{process.Output}");
        Assert.Equal(arg == "nosuchverb" ? 2 : 0, process.Process.ExitCode);
        Assert.DoesNotContain(ListeningMessage, process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData(null)]
    public async Task ResolverDll_ServeWithOverrides_Listens_AndStopsOnSigterm(string? verb)
    {
        // The file's Dns:Listen is not an address: the resolver listens only if the override reaches the configuration.
        var config = WriteConfig("not-an-address");
        string[] args = [.. verb is null ? [] : new[] { verb }, "--config", config, "--Dns:Listen:0=127.0.0.1:0", "--Admin:Urls=http://127.0.0.1:0"];
        using var process = Start(args);

        await process.WaitForAsync(ListeningMessage + " 127.0.0.1:", TimeSpan.FromSeconds(60));
        await process.WaitForAsync("Application started.", TimeSpan.FromSeconds(60));
        Assert.Equal(0, Kill(process.Process.Id, Sigterm));
        Assert.True(await WaitForExitAsync(process.Process, TimeSpan.FromSeconds(30)), "No exit after SIGTERM:\n" + process.Output);
        Assert.True(process.Process.ExitCode == 0, $"Exit code {process.Process.ExitCode}:\n{process.Output}");
    }

    [Fact]
    public async Task ResolverDll_ServeWithoutTheOverride_FailsOnTheFilesListenAddress()
    {
        var config = WriteConfig("not-an-address");
        using var process = Start("serve", "--config", config, "--Admin:Urls=http://127.0.0.1:0");

        Assert.True(await WaitForExitAsync(process.Process, TimeSpan.FromSeconds(60)), "Still running:\n" + process.Output);
        Assert.Equal(2, process.Process.ExitCode);
        Assert.Contains("Dns:Listen", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ListeningMessage, process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Sigterm)]
    [InlineData(Sigint)]
    public async Task ResolverDll_SigtermOrSigint_WaitsForTheQueriesInFlight(int signal)
    {
        using var upstream = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)); // receives, never answers
        var config = WriteConfig("127.0.0.1:0", ((IPEndPoint)upstream.Client.LocalEndPoint!).ToString());
        using var process = Start("serve", "--config", config);
        await process.WaitForAsync("Application started.", TimeSpan.FromSeconds(60));
        var port = int.Parse(Regex.Match(process.Output, ListeningMessage + @" 127\.0\.0\.1:(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

        using var client = new UdpClient(AddressFamily.InterNetwork);
        byte[] query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 4, (byte)'s', (byte)'l', (byte)'o', (byte)'w', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, 0, 1, 0, 1];
        await client.SendAsync(query, new IPEndPoint(IPAddress.Loopback, port));
        await upstream.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10)); // the query is in flight
        Assert.Equal(0, Kill(process.Process.Id, signal));

        // The stop waits for it (SERVFAIL at its deadline, about 3.5 s), within Dns:ShutdownGrace (5 s).
        Assert.True(await WaitForExitAsync(process.Process, TimeSpan.FromSeconds(30)), "No exit after SIGTERM:\n" + process.Output);
        Assert.True(process.Process.ExitCode == 0, $"Exit code {process.Process.ExitCode}:\n{process.Output}");
        Assert.Contains("DNS listeners stopped", process.Output, StringComparison.Ordinal);
    }

    private const int Sigint = 2;
    private const int Sigterm = 15;

    private static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        (string ConfigPath, string[] Overrides)? served = null;
        var code = await CommandLine.RunAsync(args, output, error, (path, overrides, _, _) =>
        {
            served = (path, overrides);
            return Task.FromResult(0);
        }, CancellationToken.None);
        return new Run(code, output.ToString(), error.ToString(), served);
    }

    private string WriteConfig(string listen, string upstream = "127.0.0.1:9")
    {
        var path = Path.Combine(_directory, "resolver.json");
        File.WriteAllText(path, $$"""
            {
              "Dns": { "Listen": [ "{{listen}}" ] },
              "Upstreams": { "Servers": [ { "Address": "{{upstream}}" } ] },
              "Cache": { "SnapshotPath": "{{Path.Combine(_directory, "cache.snapshot")}}" },
              "Admin": { "Urls": "http://127.0.0.1:0", "Tokens": [ { "Name": "ops", "Token": "ops-token-0123456789-abcdefghijkl", "Role": "Admin" } ] },
              "Logging": { "LogLevel": { "Default": "Information" } }
            }
            """);
        return path;
    }

    /// <summary><c>dotnet Resolver.dll ARGS</c>, the Resolver.dll built beside the tests.</summary>
    private ChildProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        info.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException("Could not start Resolver.dll."));
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // DllImport, not LibraryImport: the generated LibraryImport stub needs unsafe code in this project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private readonly record struct Run(int Code, string Output, string Error, (string ConfigPath, string[] Overrides)? Served);

    /// <summary>A child process with its output and error collected; killed on dispose if still running.</summary>
    private sealed class ChildProcess : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly Lock _lock = new();

        public ChildProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_lock)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task WaitForAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.False(Process.HasExited, $"Exited with {(Process.HasExited ? Process.ExitCode : 0)} before '{text}':\n{Output}");
                Assert.True(DateTime.UtcNow < deadline, $"No '{text}' within {timeout}:\n{Output}");
                await Task.Delay(50);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_lock)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
