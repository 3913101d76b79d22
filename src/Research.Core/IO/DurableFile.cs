using System.Runtime.InteropServices;
using System.Text;

namespace Research.Core.IO;

/// <summary>
/// Writes a file so that a reader sees the old contents or the new ones, never half, and the new
/// ones survive a crash: a temporary file in the same folder is written, flushed to disk, renamed
/// over the target, and the folder is flushed so the rename itself is on disk. A write that fails
/// (full disk, quota, I/O error) removes its temporary file, leaves the previous file as it was,
/// and throws an <see cref="IOException"/> naming the path and the operating system's error.
/// </summary>
public static class DurableFile
{
    /// <summary>Temporary files end with this; readers that list a folder skip them.</summary>
    public const string TemporarySuffix = ".tmp";

    public static void WriteAllText(string path, string text) => Write(path, stream =>
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        stream.Write(bytes);
    });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Copies a file durably (the copy appears whole or not at all).</summary>
    public static void Copy(string source, string destination) => Write(destination, stream =>
    {
        using var input = File.OpenRead(source);
        input.CopyTo(stream);
    });

    /// <summary>Runs <paramref name="write"/> on a stream into a temporary file, then makes it the file at <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        // One name per target: a crash's leftover is overwritten by the next write (each file has one writer).
        var tmp = full + TemporarySuffix;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new IOException($"could not write {full}: {e.Message}{(IsOutOfSpace(e) ? " (the disk or quota is full)" : "")}; the previous file, if any, is unchanged", e);
        }
        catch (ArgumentOutOfRangeException e) when (IsFileTooLarge(e))
        {
            TryDelete(tmp);
            throw new IOException($"could not write {full}: File too large (EFBIG: the file outgrew the size the system allows this process, e.g. `ulimit -f`); " +
                                  "the previous file, if any, is unchanged", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        FlushDirectory(dir);
    }

    /// <summary>
    /// .NET reports a write refused with EFBIG (a file-size limit, RLIMIT_FSIZE) not as an IOException but
    /// as an ArgumentOutOfRangeException for the parameter "value" ("Specified file length was too large").
    /// </summary>
    public static bool IsFileTooLarge(Exception e) => e is ArgumentOutOfRangeException { ParamName: "value" } a
        && a.StackTrace?.Contains("System.IO.", StringComparison.Ordinal) == true;

    /// <summary>ENOSPC (28), EDQUOT (122) and EFBIG (27, a file-size limit) as .NET reports them.</summary>
    public static bool IsOutOfSpace(Exception e) =>
        e is IOException io && (io.HResult & 0xffff) is 28 or 122 or 27 || e.InnerException is { } inner && IsOutOfSpace(inner);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done; a stray *.tmp is ignored by every reader.
        }
    }

    /// <summary>
    /// fsync of the folder, so a rename into it is durable. .NET cannot open a folder as a file, so
    /// this is the one libc call outside the libtorch binding (open/fsync/close, Linux and macOS).
    /// </summary>
    public static void FlushDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = LibC.open(dir, LibC.O_RDONLY | (OperatingSystem.IsLinux() ? LibC.O_DIRECTORY_LINUX : 0));
        if (fd < 0) return; // e.g. no read permission on the folder: the file is written, only its rename is not forced out
        try
        {
            LibC.fsync(fd);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static class LibC
    {
        public const int O_RDONLY = 0;
        public const int O_DIRECTORY_LINUX = 0x10000;

        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
