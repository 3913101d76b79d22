namespace Research.Core.IO;

/// <summary>What a path names once symbolic links are followed (as open(2) follows them).</summary>
public enum PathKind
{
    Missing,
    Regular,
    Directory,
    /// <summary>A character or block device, a FIFO or a socket: written in place, never replaced.</summary>
    Special,
}

/// <summary>Reads a path's <see cref="PathKind"/>.</summary>
public static class PathKinds
{
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;
    private const int ENOENT = 2, ENOTDIR = 20;

    /// <summary>
    /// Of <paramref name="path"/> (following links). On Linux from statx's file type; elsewhere only
    /// missing, folder or file can be told apart, and a file counts as regular.
    /// </summary>
    public static unsafe PathKind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Directory.Exists(path) ? PathKind.Directory : File.Exists(path) ? PathKind.Regular : PathKind.Missing;
        byte* buffer = stackalloc byte[LibC.StatxSize];
        if (LibC.statx(LibC.AT_FDCWD, path, 0, LibC.STATX_TYPE, buffer) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            // Anything else (no permission to look, a loop) is left to the write, which reports it with the path.
            return errno is ENOENT or ENOTDIR ? PathKind.Missing : PathKind.Regular;
        }
        int type = *(ushort*)(buffer + LibC.StatxModeOffset) & S_IFMT;
        return type switch
        {
            S_IFREG => PathKind.Regular,
            S_IFDIR => PathKind.Directory,
            _ => PathKind.Special,
        };
    }
}
