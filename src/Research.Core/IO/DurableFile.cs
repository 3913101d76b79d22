using System.Text;

namespace Research.Core.IO;

/// <summary>
/// Writes a file so that a reader sees the old contents or the new ones, never half, and the new
/// ones survive a crash: a temporary file in the same folder is written, flushed to disk, renamed
/// over the target, and the folder is flushed so the rename itself is on disk. A link is written
/// through to its target, and a device or FIFO is written in place (<see cref="WriteTarget"/>). A write that fails
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

    /// <summary>
    /// Runs <paramref name="write"/> on a stream into a temporary file, then makes it the file at
    /// <paramref name="path"/>. What is at the path decides how (<see cref="WriteTarget"/>): a symbolic
    /// link is written through (its final target is replaced atomically, the link stays); a device, FIFO
    /// or socket is opened and written in place, so /dev/null, /dev/full and a pipe behave as they do for
    /// a shell's redirect (a failing device write, such as /dev/full's ENOSPC, is an error).
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var target = WriteTarget.Of(path);
        if (target.Direct) WriteInPlace(target, write);
        else WriteAndRename(target.Path, write);
    }

    /// <summary>
    /// Creates a folder (and its parents) for output. A folder that cannot be made (no permission, a file in the
    /// way, a read-only or vanished parent) is an <see cref="IOException"/> naming it and why, whatever .NET's
    /// own exception was, so every command reports an unwritable output the same way (exit code 1).
    /// </summary>
    public static void CreateDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"could not create the folder {Path.GetFullPath(dir)}: {e.Message}", e);
        }
    }

    private static void WriteAndRename(string full, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(full)!;
        CreateDirectory(dir);
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

    /// <summary>A device, FIFO or open file: nothing to rename over, and no atomicity to offer; an error is still an error.</summary>
    private static void WriteInPlace(WriteTarget target, Action<Stream> write)
    {
        try
        {
            // FileShare.ReadWrite: no advisory lock on a device or pipe that others have open.
            using var stream = new FileStream(target.Path, target.Append ? FileMode.Append : FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"could not write {target.Path}: {e.Message}{(IsOutOfSpace(e) ? " (the device, disk or quota is full)" : "")}", e);
        }
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
    /// fsync of the folder, so a rename into it is durable (.NET cannot open a folder as a file: libc's
    /// open/fsync/close, Linux and macOS, through <see cref="LibC"/>).
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
}
