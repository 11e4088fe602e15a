using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Resolver.EndToEnd.Peers;

/// <summary>
/// The resolver under test as its own process (<c>dotnet Resolver.dll --config PATH</c>) on free loopback
/// ports, forwarding to the given upstream ports in order, with its state (admin token file, cache
/// snapshot) in its own temp directory. Ready once it logs its DNS listener and /healthz answers "ok";
/// stopped gracefully by <see cref="TerminateAsync"/>, or killed by its own process object on dispose.
/// </summary>
internal sealed class ResolverProcess : IAsyncDisposable
{
    /// <summary>The Admin bearer token the resolver under test is configured with.</summary>
    public const string AdminToken = "e2e-admin-token-0123456789abcdef";

    private const string ConfigFileName = "resolver.json";
    private const string ListeningMessage = "Listening for DNS on";
    private const int Sigterm = 15;
    private const int Sighup = 1;
    private const int PortAttempts = 3; // each with new ports: see StartAsync

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_gracefulStopTimeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly Process _process;
    private readonly ProcessLog _log;
    private readonly DirectoryInfo _directory;

    private ResolverProcess(Process process, ProcessLog log, DirectoryInfo directory, int dnsPort, int adminPort)
    {
        _process = process;
        _log = log;
        _directory = directory;
        DnsPort = dnsPort;
        AdminPort = adminPort;
    }

    public int DnsPort { get; }

    public int AdminPort { get; }

    /// <summary>The resolver's resident set size now (VmRSS in /proc/PID/status).</summary>
    public long ResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>What the resolver has printed so far, for failure messages.</summary>
    public ProcessLog Log => _log;

    /// <param name="upstreamPorts">UDP upstreams on 127.0.0.1, asked in this order (Sequential policy).</param>
    /// <param name="maxCacheTtl">Cache:MaxTtl, to make answers expire within a test; null keeps the default.</param>
    /// <param name="configure">Changes to the generated configuration (the JSON root), e.g. one Cache setting.</param>
    /// <param name="environment">Variables set for the resolver's process, e.g. settings the way systemd's Environment= gives them.</param>
    public static async Task<ResolverProcess> StartAsync(
        IReadOnlyList<int> upstreamPorts, TimeSpan? maxCacheTtl = null, Action<JsonObject>? configure = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(upstreamPorts);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(upstreamPorts, maxCacheTtl, configure, environment);
            }
            catch (Exception e) when (attempt < PortAttempts && e.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                // FreePorts hands out a port that was free a moment ago; another process took it since: new ports.
            }
        }
    }

    private static async Task<ResolverProcess> StartOnceAsync(
        IReadOnlyList<int> upstreamPorts, TimeSpan? maxCacheTtl, Action<JsonObject>? configure, IReadOnlyDictionary<string, string>? environment)
    {
        var dll = RepositoryLayout.ResolverDll;
        var directory = Directory.CreateTempSubdirectory("resolver-e2e-");
        var dnsPort = FreePorts.Next();
        var adminPort = FreePorts.Next();
        var config = Path.Combine(directory.FullName, ConfigFileName);
        var root = Configuration(directory.FullName, dnsPort, adminPort, upstreamPorts, maxCacheTtl);
        configure?.Invoke(root);
        await File.WriteAllTextAsync(config, root.ToJsonString(s_indented));

        var info = new ProcessStartInfo(RepositoryLayout.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.FullName,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the resolver.");
        var log = new ProcessLog(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var resolver = new ResolverProcess(process, log, directory, dnsPort, adminPort);
        try
        {
            await resolver.WaitUntilReadyAsync();
        }
        catch
        {
            await resolver.DisposeAsync();
            throw;
        }

        return resolver;
    }

    /// <summary>The configuration file the resolver runs with.</summary>
    public string ConfigPath => Path.Combine(_directory.FullName, ConfigFileName);

    /// <summary>Sends SIGHUP, as <c>systemctl reload</c> would: the resolver reloads its configuration file.</summary>
    public void HangUp()
    {
        if (Kill(_process.Id, Sighup) != 0)
        {
            Assert.Fail($"kill({_process.Id}, SIGHUP) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Stops the resolver as systemd or Ctrl+C would (SIGTERM: a graceful stop) and returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        if (Kill(_process.Id, Sigterm) != 0)
        {
            Assert.Fail($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        using var deadline = new CancellationTokenSource(s_gracefulStopTimeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>GETs from the admin API with the Admin token; the body.</summary>
    public async Task<string> GetAdminAsync(string path)
    {
        using var request = AdminRequest(HttpMethod.Get, path);
        using var response = await s_http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>POSTs JSON to the admin API with the Admin token; the status and the body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> PostAdminAsync(string path, string json)
    {
        using var request = AdminRequest(HttpMethod.Post, path);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await s_http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request to the admin API on this process's port, with the Admin token.</summary>
    private HttpRequestMessage AdminRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{AdminPort.ToString(CultureInfo.InvariantCulture)}{path}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(s_stopTimeout);
            await _process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            _process.Dispose();
            _directory.Delete(recursive: true);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var expected = $"{ListeningMessage} 127.0.0.1:{DnsPort.ToString(CultureInfo.InvariantCulture)}";
        var health = new Uri($"http://127.0.0.1:{AdminPort.ToString(CultureInfo.InvariantCulture)}/healthz");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_startTimeout && !_process.HasExited)
        {
            if (_log.StandardOutput.Contains(expected, StringComparison.Ordinal) && await IsHealthyAsync(health))
            {
                return;
            }

            await Task.Delay(50);
        }

        var why = _process.HasExited
            ? $"exited with code {_process.ExitCode}"
            : $"did not log '{expected}' and answer {health} with \"ok\" within {s_startTimeout.TotalSeconds} s";
        Assert.Fail($"The resolver {why}.\n{_log}");
    }

    private static async Task<bool> IsHealthyAsync(Uri health)
    {
        try
        {
            return await s_http.GetStringAsync(health) == "ok";
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static JsonObject Configuration(string directory, int dnsPort, int adminPort, IReadOnlyList<int> upstreamPorts, TimeSpan? maxCacheTtl)
    {
        var servers = new JsonArray();
        foreach (var port in upstreamPorts)
        {
            servers.Add(new JsonObject { ["Address"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", ["Transport"] = "Udp" });
        }

        var cache = new JsonObject { ["ServeStale"] = true, ["ServFailTtl"] = "00:00:01" };
        if (maxCacheTtl is { } maxTtl)
        {
            cache["MaxTtl"] = maxTtl.ToString("c", CultureInfo.InvariantCulture);
        }

        var root = new JsonObject
        {
            ["Dns"] = new JsonObject { ["Listen"] = new JsonArray($"127.0.0.1:{dnsPort.ToString(CultureInfo.InvariantCulture)}") },
            ["Upstreams"] = new JsonObject
            {
                ["Policy"] = "Sequential",
                ["Timeout"] = "00:00:00.5",
                ["MaxAttempts"] = 2,
                ["FailuresBeforeDown"] = 1,
                ["Servers"] = servers,
            },
            ["Cache"] = cache,
            ["Admin"] = new JsonObject
            {
                ["Urls"] = $"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}",
                ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "e2e", ["Token"] = AdminToken, ["Role"] = "Admin" }),

                // Unused for tokens (they are configured), but the default cache snapshot goes beside it: here, not in the home directory.
                ["TokenFile"] = Path.Combine(directory, "admin-token"),
            },
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject
                {
                    ["Default"] = "Information",
                    ["Microsoft.AspNetCore"] = "Warning",
                    ["Microsoft.Hosting.Lifetime"] = "Warning",
                },
            },
        };
        return root;
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    // DllImport, not LibraryImport: the generated LibraryImport stub needs unsafe code in this project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
