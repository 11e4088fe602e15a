using Resolver.Admin;

namespace Resolver.Tests.Admin;

/// <summary>Each bad Admin setting fails start-up with a message naming the key and the fix.</summary>
public sealed class AdminOptionsValidatorTests
{
    private const string Token = "ops-token-0123456789-abcdefghijkl";

    private static IReadOnlyList<string> Failures(AdminOptions options)
    {
        var result = new AdminOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    private static AdminOptions WithPeer(string url, bool allowInsecure = false) => new()
    {
        Peers = [new PeerOptions { Name = "web2", Url = url, Token = Token }],
        AllowInsecurePeers = allowInsecure,
    };

    [Fact]
    public void Defaults_AreValid_AndAsDocumented()
    {
        var options = new AdminOptions();

        Assert.Empty(Failures(options));
        Assert.Equal(10, options.FailedAuthLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), options.FailedAuthWindow);
        Assert.False(options.AllowInsecurePeers);
    }

    [Theory]
    [InlineData("http://10.0.0.2:8053")]
    [InlineData("http://resolver2.internal:8053")]
    [InlineData("http://[2001:db8::2]:8053")]
    [InlineData("HTTP://192.168.1.2:8053/")]
    public void AnHttpPeerBeyondLoopback_IsRefused_NamingTheKeyAndTheFix(string url)
    {
        var failure = Assert.Single(Failures(WithPeer(url)));

        Assert.StartsWith("Admin:Peers:0:Url: ", failure, StringComparison.Ordinal);
        Assert.Contains("use https://", failure, StringComparison.Ordinal);
        Assert.Contains("Admin:AllowInsecurePeers", failure, StringComparison.Ordinal);
        Assert.Empty(Failures(WithPeer(url, allowInsecure: true)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8053")]
    [InlineData("http://127.0.0.2:8053")]
    [InlineData("http://[::1]:8053")]
    [InlineData("http://localhost:8053")]
    [InlineData("https://10.0.0.2:8443")]
    [InlineData("https://resolver2.internal:8443/")]
    public void LoopbackOrHttpsPeers_AreAllowed(string url)
    {
        Assert.Empty(Failures(WithPeer(url)));
    }

    [Theory]
    [InlineData("0123456789-0123456789-012345678", null, "Admin:Tokens:0:Token must be at least 32 characters (was 31)")]
    [InlineData("", null, "Admin:Tokens:0:Token / Admin:Tokens:0:TokenFile: set one of them (the token, or a file holding it).")]
    [InlineData(Token, "/run/secrets/resolver-token", "Admin:Tokens:0:Token / Admin:Tokens:0:TokenFile: set one of them, not both.")]
    public void ABadTokenEntry_NamesTheKey(string token, string? tokenFile, string expected)
    {
        var options = new AdminOptions { Tokens = [new AdminTokenOptions { Name = "ops", Token = token, TokenFile = tokenFile }] };

        Assert.StartsWith(expected, Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenOf32Characters_OrATokenFile_IsValid()
    {
        var options = new AdminOptions
        {
            Tokens =
            [
                new AdminTokenOptions { Name = "ops", Token = new string('t', 32), Role = AdminRole.Admin },
                new AdminTokenOptions { Name = "ci", TokenFile = "/run/secrets/resolver-token" },
            ],
        };

        Assert.Empty(Failures(options));
    }

    [Theory]
    [InlineData(0, "00:01:00", "Admin:FailedAuthLimit must be between 1 and")]
    [InlineData(10, "00:00:00", "Admin:FailedAuthWindow must be between 00:00:01 and 1.00:00:00")]
    [InlineData(10, "2.00:00:00", "Admin:FailedAuthWindow must be between 00:00:01 and 1.00:00:00")]
    public void ABadFailedAuthLimit_NamesTheKey(int limit, string window, string expected)
    {
        var options = new AdminOptions { FailedAuthLimit = limit, FailedAuthWindow = TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.StartsWith(expected, Assert.Single(Failures(options)), StringComparison.Ordinal);
    }
}
