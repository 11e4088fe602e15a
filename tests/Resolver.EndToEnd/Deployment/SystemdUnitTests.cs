using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Deployment;

/// <summary>
/// deploy/resolver.service as systemd reads it: <c>systemd-analyze verify</c> reports unknown keys and bad values
/// (on stderr, exit code 0, "ignoring"), so the check is that it reports nothing at all.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-unit-").FullName;

    private static string UnitPath => Path.Combine(RepositoryLayout.Root, "deploy", "resolver.service");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Shipped_unit_passes_systemd_analyze_verify_without_a_message()
    {
        var output = await VerifyAsync(File.ReadAllLines(UnitPath));

        Assert.True(IsClean(output), $"systemd-analyze verify exited {output.ExitCode}:\n{output.StandardOutput}{output.StandardError}");
    }

    [Theory]
    [InlineData("ProtectHome=yes", "ProtecHome=yes", "Unknown key 'ProtecHome'")]
    [InlineData("Type=notify", "Type=notfy", "notfy")]
    [InlineData("Restart=on-failure", "Restart=on-fail", "on-fail")]
    public async Task A_typo_in_the_unit_makes_the_check_fail(string directive, string typo, string reported)
    {
        var lines = File.ReadAllLines(UnitPath);
        Assert.Contains(directive, lines);

        var output = await VerifyAsync(lines.Select(l => l == directive ? typo : l));

        Assert.False(IsClean(output), $"systemd-analyze verify took '{typo}' without a message.");
        Assert.Contains(reported, output.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_runs_unprivileged_and_hardened_as_notify_with_the_state_directory_and_the_jit_allowed()
    {
        var directives = File.ReadAllLines(UnitPath)
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('['))
            .ToList();

        Assert.Contains("Type=notify", directives);
        Assert.Contains("Restart=on-failure", directives);
        Assert.Equal("yes", Boolean(directives, "DynamicUser"));
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", directives);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_BIND_SERVICE", directives);
        Assert.Contains("StateDirectory=resolver", directives);
        Assert.Contains("Environment=Admin__TokenFile=/var/lib/resolver/admin-token", directives);
        Assert.Contains("Environment=Cache__SnapshotPath=/var/lib/resolver/cache.snapshot", directives);
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", directives);
        Assert.Contains("ProtectSystem=strict", directives);
        Assert.Equal("yes", Boolean(directives, "PrivateTmp"));
        Assert.Equal("yes", Boolean(directives, "NoNewPrivileges"));
        var families = Assert.Single(directives, d => d.StartsWith("RestrictAddressFamilies=", StringComparison.Ordinal))["RestrictAddressFamilies=".Length..].Split(' ');
        Assert.Subset(families.ToHashSet(), new HashSet<string> { "AF_INET", "AF_INET6", "AF_UNIX" }); // DNS, and NOTIFY_SOCKET
        Assert.DoesNotContain(directives, d => d.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal) && !d.EndsWith("=no", StringComparison.Ordinal));
        Assert.DoesNotContain(directives, d => d.StartsWith("User=", StringComparison.Ordinal));
    }

    /// <summary>The one setting of the boolean <paramref name="key"/>, "yes" for any way systemd spells true (yes, true, on, 1).</summary>
    private static string Boolean(List<string> directives, string key)
    {
        var value = Assert.Single(directives, d => d.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        return value.ToLowerInvariant() is "yes" or "true" or "on" or "1" ? "yes" : value;
    }

    private static bool IsClean(CommandOutput output) =>
        output.ExitCode == 0 && output.StandardOutput.Length == 0 && output.StandardError.Length == 0;

    /// <summary>
    /// Verifies a copy of the unit whose ExecStart runs /bin/true with the same arguments: verify fails on a missing
    /// executable, and /usr/bin/dotnet and /opt/resolver are not there on every test machine.
    /// </summary>
    private async Task<CommandOutput> VerifyAsync(IEnumerable<string> lines)
    {
        var copy = lines
            .Select(l => l.StartsWith("ExecStart=", StringComparison.Ordinal) ? "ExecStart=/bin/true" + l[l.IndexOf(' ', StringComparison.Ordinal)..] : l)
            .ToList();
        Assert.Single(copy, l => l.StartsWith("ExecStart=/bin/true ", StringComparison.Ordinal));

        var path = Path.Combine(_directory, "resolver.service");
        await File.WriteAllLinesAsync(path, copy);
        return await ProcessRunner.RunAsync(ExternalTools.SystemdAnalyze, ["verify", path], s_timeout);
    }
}
