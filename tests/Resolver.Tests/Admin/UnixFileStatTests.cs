using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Resolver.Admin;

namespace Resolver.Tests.Admin;

/// <summary>statx and geteuid read what the kernel says: checked against /proc and against what .NET itself reads.</summary>
[SupportedOSPlatform("linux")]
public sealed class UnixFileStatTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-stat-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CurrentUserId_IsTheEffectiveUidInProcSelfStatus()
    {
        // "Uid:\t<real>\t<effective>\t<saved>\t<filesystem>"
        var uidLine = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var effective = uint.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);

        Assert.Equal(effective, UnixFileStat.CurrentUserId);
    }

    [Fact]
    public void TryGet_ReadsTheModeAsDotNetDoes_AndTheOwner()
    {
        var path = Path.Combine(_directory, "file");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var expectedOwner = UnixFileStat.CurrentUserId;
        if (expectedOwner == 0)
        {
            // As root, give the file an owner and a group that differ from each other and from root, so reading the
            // wrong field of struct statx (stx_gid at byte 24, or nothing) cannot pass.
            using var chown = Process.Start("chown", ["12345:23456", path])!;
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
            expectedOwner = 12345;
        }

        Assert.True(UnixFileStat.TryGet(path, out var owner, out var mode, out var errno), $"errno {errno}");
        Assert.Equal(expectedOwner, owner);
        Assert.Equal(File.GetUnixFileMode(path), mode);
        Assert.True(UnixFileStat.TryGet("/", out var rootOwner, out _, out _));
        Assert.Equal(0u, rootOwner);
    }

    [Fact]
    public void TryGet_OnAMissingFile_IsFalseWithEnoent()
    {
        Assert.False(UnixFileStat.TryGet(Path.Combine(_directory, "absent"), out _, out _, out var errno));
        Assert.Equal(2, errno); // ENOENT
    }
}
