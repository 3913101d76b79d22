using System.Runtime.InteropServices;

namespace Research.Core.IO;

/// <summary>
/// The few libc calls .NET offers no API for: a folder opened to fsync it (.NET cannot open a folder
/// as a file), and statx to tell a device, FIFO or socket from a regular file (.NET's file APIs report
/// none of that). These are the only native calls outside the libtorch binding (NativeImportsTests).
/// </summary>
internal static class LibC
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY_LINUX = 0x10000;
    public const int AT_FDCWD = -100;
    public const uint STATX_TYPE = 1;

    /// <summary>struct statx is 256 bytes on every Linux architecture; stx_mode (u16) is at byte 28.</summary>
    public const int StatxSize = 256;
    public const int StatxModeOffset = 28;

    [DllImport("libc", SetLastError = true)]
    public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
