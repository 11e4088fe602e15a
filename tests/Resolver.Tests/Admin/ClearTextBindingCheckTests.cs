using Microsoft.Extensions.Configuration;
using Resolver.Admin;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>The admin API bound beyond loopback over http:// is warned about at start (checked on a built, not started, resolver: nothing is bound).</summary>
public sealed class ClearTextBindingCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-bind-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("http://0.0.0.0:8053", true)]
    [InlineData("http://127.0.0.1:8053;http://10.0.0.2:8053", true)]
    [InlineData("http://127.0.0.1:8053;http://[::1]:8053", false)]
    [InlineData("https://0.0.0.0:8443", false)]
    public async Task AtBuild_AClearTextNonLoopbackUrl_IsWarnedAbout_PointingToTheReadme(string urls, bool warned)
    {
        var logs = new LogCollector();
        var path = TestApp.WriteConfig(_directory, urls: urls);

        await using (TestApp.Build(path, logs))
        {
        }

        var warnings = logs.Lines.Where(l => l.Contains("without TLS: bearer tokens cross the network in clear", StringComparison.Ordinal)).ToList();
        Assert.Equal(warned, warnings.Count == 1);
        Assert.All(warnings, w => Assert.Contains("Running the admin API over HTTPS (fleets)", w, StringComparison.Ordinal));
    }

    [Fact]
    public void KestrelEndpoints_ReplaceAdminUrls()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Https:Url"] = "https://0.0.0.0:8443",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = "/etc/resolver/admin.crt",
        }).Build();

        Assert.Equal(["https://0.0.0.0:8443"], ClearTextBindingCheck.ListenUrls(configuration, "http://0.0.0.0:8053"));
        Assert.Equal(["http://127.0.0.1:8053", "http://[::1]:8053"], ClearTextBindingCheck.ListenUrls(new ConfigurationBuilder().Build(), "http://127.0.0.1:8053; http://[::1]:8053"));
    }
}
