using System.Diagnostics;
using System.Globalization;

namespace Research.Core.IO;

/// <summary>
/// One writer per run directory. The writer holds an advisory lock on <c>DIR/.lock</c> for as long
/// as it writes there (an exclusive <c>flock</c>, which .NET takes for <see cref="FileShare.None"/>);
/// the kernel drops it when the process ends however it ends, so a killed writer leaves no stale
/// lock. Beside it, <c>DIR/.lock.holder</c> says who holds it (pid, host, since when, the command),
/// so that a second writer is refused with an error naming the holder. Readers take no lock.
/// The lock file stays (empty) after the writer is gone: removing it would let two writers lock two
/// different files of one name.
/// </summary>
public sealed class RunDirectoryLock : IDisposable
{
    public const string FileName = ".lock";
    public const string HolderFileName = ".lock.holder";

    /// <summary>How long a refused writer waits for the holder's note when the one it finds is a dead process's.</summary>
    private static readonly TimeSpan NoteWait = TimeSpan.FromSeconds(2);

    private FileStream? _stream;
    private readonly bool _noted;

    private RunDirectoryLock(string dir, FileStream stream, bool noted)
    {
        Dir = dir;
        _stream = stream;
        _noted = noted;
    }

    /// <summary>The directory held (absolute).</summary>
    public string Dir { get; }

    /// <summary>The lock's own files, which listings of a run's outputs leave out.</summary>
    public static bool IsLockFile(string path) => Path.GetFileName(path) is FileName or HolderFileName;

    /// <summary>Holds <paramref name="dir"/> (created if absent), or throws <see cref="RunDirectoryBusyException"/> naming the holder.</summary>
    public static RunDirectoryLock Acquire(string dir) =>
        TryAcquire(dir, out var holder) ?? throw new RunDirectoryBusyException(Path.GetFullPath(dir), holder!);

    /// <summary>Holds <paramref name="dir"/> (created if absent), or returns null with <paramref name="holder"/> describing who holds it.</summary>
    public static RunDirectoryLock? TryAcquire(string dir, out string? holder)
    {
        var full = Path.GetFullPath(dir);
        DurableFile.CreateDirectory(full); // a folder that cannot be made: an IOException naming it
        holder = null;
        var stream = TryLock(Path.Combine(full, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (stream is null)
        {
            holder = DescribeHolder(full);
            return null;
        }
        var held = new RunDirectoryLock(full, stream, noted: true);
        try
        {
            DurableFile.WriteAllText(Path.Combine(full, HolderFileName), Note());
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return held;
    }

    /// <summary>
    /// Who is writing <paramref name="dir"/> now, or null when no one is: a reader's question, which
    /// writes nothing (it tests the lock for an instant, and only where a writer has made one).
    /// </summary>
    public static string? Holder(string dir)
    {
        var full = Path.GetFullPath(dir);
        FileStream? stream;
        try
        {
            stream = TryLock(Path.Combine(full, FileName), FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (stream is not null)
        {
            stream.Dispose();
            return null;
        }
        return DescribeHolder(full);
    }

    /// <summary>The lock (FileShare.None is an exclusive flock, for reading as for writing), or null when another holds it.</summary>
    private static FileStream? TryLock(string path, FileMode mode, FileAccess access)
    {
        try
        {
            return new FileStream(path, mode, access, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return null;
        }
    }

    /// <summary>.NET's refusal of a locked file: flock's EWOULDBLOCK as the HResult (11 on Linux, 35 on macOS), "being used by another process".</summary>
    private static bool IsHeldElsewhere(IOException e) =>
        e.GetType() == typeof(IOException) && (e.HResult is 11 or 35 || e.Message.Contains("being used by another process", StringComparison.Ordinal));

    /// <summary>The holder's note: "pid P on host H since T: COMMAND".</summary>
    private static string Note()
    {
        var command = string.Join(' ', Environment.GetCommandLineArgs().Select((a, i) => i == 0 ? Path.GetFileNameWithoutExtension(a) : a));
        if (command.Length > 300) command = command[..300] + "…";
        return string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on host {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z: {command}\n");
    }

    /// <summary>The holder's note, waiting briefly when it is missing or a dead process's (the holder has the lock but has not written its note yet).</summary>
    private static string DescribeHolder(string dir)
    {
        var path = Path.Combine(dir, HolderFileName);
        var clock = Stopwatch.StartNew();
        string? note = null;
        while (true)
        {
            try
            {
                note = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                note = null;
            }
            if (note is { Length: > 0 } && !IsDeadLocalProcess(note)) return note;
            if (clock.Elapsed > NoteWait) break;
            Thread.Sleep(50);
        }
        return "another process (it left no note of who it is)";
    }

    private static bool IsDeadLocalProcess(string note)
    {
        var words = note.Split(' ');
        if (words.Length < 5 || words[0] != "pid" || words[2] != "on" || words[3] != "host" || words[4] != Environment.MachineName) return false;
        if (!int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return false;
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>Removes the note, then lets go of the lock.</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        if (_noted)
            try
            {
                File.Delete(Path.Combine(Dir, HolderFileName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A note left behind names a dead process, which the next writer replaces and a refused one sees through.
            }
        _stream.Dispose();
        _stream = null;
    }
}
