using Resolver.Admin;

namespace Resolver.Tests.Admin;

/// <summary>A token file must be the resolver's own (owner, mode 0600) and hold a long enough token; each problem names the file and the fix.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TokenFileCheckTests : IDisposable
{
    private const string Token = "file-token-0123456789-abcdefghijkl";
    private const string Key = "Admin:Tokens:0:TokenFile";

    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-tokenfile-").FullName;
    private readonly List<string> _failures = [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static uint Me => OperatingSystem.IsLinux() ? UnixFileStat.CurrentUserId : 0;

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead)]
    public void AFileOfItsOwnWithMode0600OrStricter_GivesTheTrimmedToken(UnixFileMode mode)
    {
        var path = Write(Token + "\n", mode);

        Assert.Equal(Token, TokenFileCheck.Read(path, Key, Me, _failures));
        Assert.Empty(_failures);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.GroupWrite | UnixFileMode.OtherExecute, "0621")]
    public void GroupOrOtherBits_AreRefused_WithTheChmod(UnixFileMode extra, string octal)
    {
        var path = Write(Token, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        Assert.Null(TokenFileCheck.Read(path, Key, Me, _failures));
        var failure = Assert.Single(_failures);
        Assert.Equal($"{Key}: {path} has mode {octal}, so other users may read or change it; chmod 600 {path}.", failure);
    }

    [Fact]
    public void AnotherOwner_IsRefused_WithTheChown()
    {
        var path = Write(Token);

        Assert.Null(TokenFileCheck.Read(path, Key, Me + 1, _failures));
        var failure = Assert.Single(_failures);
        Assert.StartsWith($"{Key}: {path} is owned by uid {Me}, not by the user the resolver runs as (uid {Me + 1}); chown ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AShortToken_IsRefused_SayingHowLongItMustBe()
    {
        var path = Write(new string('t', 31) + "\n");

        Assert.Null(TokenFileCheck.Read(path, Key, Me, _failures));
        var failure = Assert.Single(_failures);
        Assert.Contains($"{path} holds a token of 31 characters; write a token of at least 32 characters", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfAFile_IsReportedAtOnce()
    {
        var path = Write("short", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Null(TokenFileCheck.Read(path, Key, Me + 1, _failures));

        Assert.Equal(3, _failures.Count);
        Assert.All(_failures, f => Assert.StartsWith($"{Key}: ", f, StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingFile_IsRefused_SayingHowToCreateIt()
    {
        var path = Path.Combine(_directory, "absent");

        Assert.Null(TokenFileCheck.Read(path, Key, _failures));
        Assert.Contains($"{path} does not exist", Assert.Single(_failures), StringComparison.Ordinal);
    }
}
