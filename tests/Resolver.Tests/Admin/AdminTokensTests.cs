using System.Net;
using Microsoft.Extensions.Options;
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

        var created = AdminTokens.CreateIfAbsent(file);
        var first = File.ReadAllText(file);
        var createdAgain = AdminTokens.CreateIfAbsent(file);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, File.ReadAllText(file));
        Assert.Equal(43, first.Length);
    }

    [Fact]
    public async Task ATokenFromAFile_IsAccepted_AndNamedInAuditLines()
    {
        var file = WriteTokenFile("ci-token", FileToken + "\n");
        await using var app = await TestApp.StartAsync(admin: $$"""
            "Tokens": [ { "Name": "ci", "TokenFile": "{{file}}", "Role": "Admin" }, { "Name": "ops", "Token": "{{TestApp.AdminToken}}", "Role": "Admin" } ]
            """);

        var (status, _) = await app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", FileToken, """{"all": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(app.Logs.Lines, l => l.Contains("AUDIT flush by ci from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AConfiguredTokenFileReadableByOthers_StopsStartUp_NamingTheKeyTheFileAndTheFix()
    {
        var file = WriteTokenFile("ci-token", FileToken, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var failure = Assert.Single(StartFailures($$"""
            "Tokens": [ { "Name": "ci", "TokenFile": "{{file}}", "Role": "Admin" } ]
            """));

        Assert.Equal($"Admin:Tokens:0:TokenFile: {file} has mode 0644, so other users may read or change it; chmod 600 {file}.", failure);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AReusedGeneratedTokenFileReadableByOthers_StopsStartUp()
    {
        var file = WriteTokenFile("admin-token", FileToken, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var failure = Assert.Single(StartFailures($$"""
            "TokenFile": "{{file}}"
            """));

        Assert.Contains($"Admin:TokenFile: {file} has mode 0640", failure, StringComparison.Ordinal);
        Assert.EndsWith($"chmod 600 {file}.", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenFileWithAShortToken_StopsStartUp()
    {
        var file = WriteTokenFile("ci-token", "too-short-0123456789");

        var failure = Assert.Single(StartFailures($$"""
            "Tokens": [ { "Name": "ci", "TokenFile": "{{file}}", "Role": "Admin" } ]
            """));

        Assert.Contains("holds a token of 20 characters; write a token of at least 32 characters", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileAndAnInlineEntrySharingAToken_StopStartUp()
    {
        var file = WriteTokenFile("ci-token", TestApp.AdminToken);

        var failure = Assert.Single(StartFailures($$"""
            "Tokens": [ { "Name": "ci", "TokenFile": "{{file}}", "Role": "Read" }, { "Name": "ops", "Token": "{{TestApp.AdminToken}}", "Role": "Admin" } ]
            """));

        Assert.StartsWith("Admin:Tokens: two entries share a token", failure, StringComparison.Ordinal);
    }

    private const string FileToken = "file-token-0123456789-abcdefghijkl";

    private string WriteTokenFile(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    /// <summary>Builds a resolver with this Admin section; the start-up failures it stops with.</summary>
    private IReadOnlyList<string> StartFailures(string admin)
    {
        var path = TestApp.WriteConfig(_directory, admin);
        var error = Assert.Throws<OptionsValidationException>(() => TestApp.Build(path, new LogCollector()));
        return [.. error.Failures];
    }
}
