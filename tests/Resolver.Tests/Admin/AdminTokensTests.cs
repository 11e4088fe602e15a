using System.Net;
using Resolver.Admin;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

public sealed class AdminTokensTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-token-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task NoTokenConfigured_GeneratesOneInAUserOnlyFile_AndLogsOnlyThePath()
    {
        var file = Path.Combine(_directory, "state", "admin-token");
        await using var app = await TestApp.StartAsync(admin: $$"""
            "TokenFile": "{{file}}"
            """);

        var token = (await File.ReadAllTextAsync(file)).Trim();
        var (status, _) = await app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", token, """{"all": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(token.Length >= 40);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(app.Logs.Lines, l => l.Contains(file, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public void GeneratedToken_IsReusedAtTheNextStart()
    {
        var file = Path.Combine(_directory, "admin-token");

        var first = AdminTokens.LoadOrCreate(file, out var created);
        var second = AdminTokens.LoadOrCreate(file, out var createdAgain);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
    }
}
