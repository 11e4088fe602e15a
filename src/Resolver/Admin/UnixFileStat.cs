using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Resolver.Admin;

/// <summary>
/// A file's owner and mode, and the user this process runs as. .NET exposes a file's mode
/// (<see cref="File.GetUnixFileMode(string)"/>) but not its owner, so this asks the kernel with statx(2):
/// unlike struct stat, whose layout differs per architecture and libc, struct statx is the same everywhere
/// (stx_uid is a u32 at byte 20, stx_mode a u16 at byte 28, 256 bytes in all).
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class UnixFileStat
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;

    /// <summary>The effective user id of this process (geteuid(2)).</summary>
    public static uint CurrentUserId => GetEffectiveUserId();

    /// <summary>The owner and permission bits of <paramref name="path"/> (a symbolic link is followed); false with errno when it cannot be read.</summary>
    public static bool TryGet(string path, out uint ownerId, out UnixFileMode mode, out int errno)
    {
        if (Statx(AtFdCwd, path, 0, StatxType | StatxMode | StatxUid, out var buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            ownerId = 0;
            mode = 0;
            return false;
        }

        errno = 0;
        ownerId = buffer.Uid;
        mode = (UnixFileMode)(buffer.Mode & 0xFFF); // the permission, set-id and sticky bits, without the file type
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    /// <summary>struct statx: only the fields read here are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(28)]
        public ushort Mode;
    }
}
