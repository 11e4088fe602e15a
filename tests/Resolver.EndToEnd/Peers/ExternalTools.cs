namespace Resolver.EndToEnd.Peers;

/// <summary>Finds the programs the tests drive (dig, kdig, nsd, systemd-analyze, dnsdist); a missing one fails the test with the install command.</summary>
internal static class ExternalTools
{
    public const string InstallHint = "apt-get install dnsutils knot-dnsutils nsd";

    // nsd lives in /usr/sbin, which a non-root PATH often leaves out.
    private static readonly string[] s_extraDirectories = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

    public static string Dig => Require("dig");

    public static string Kdig => Require("kdig");

    public static string Nsd => Require("nsd");

    public static string SystemdAnalyze => Require("systemd-analyze", "apt-get install systemd");

    public static string Dnsdist => Require("dnsdist", "apt-get install dnsdist");

    public static string Require(string name, string installHint = InstallHint)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var directories = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(s_extraDirectories);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{name}' is not installed; the end-to-end tests need it. Run `{installHint}`.");
        return name;
    }
}
