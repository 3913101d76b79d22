using System.Diagnostics;
using Research.Core.IO;

namespace Research.Core.Tests;

public class RunDirectoryLockTests
{
    private static string Dir() => Path.Combine(Directory.CreateTempSubdirectory("run-lock").FullName, "run");

    [Fact]
    public void ASecondWriterIsRefusedNamingTheHolderUntilTheFirstLetsGo()
    {
        var dir = Dir();
        var first = RunDirectoryLock.Acquire(dir);
        var note = File.ReadAllText(Path.Combine(dir, RunDirectoryLock.HolderFileName));
        Assert.StartsWith($"pid {Environment.ProcessId} on host {Environment.MachineName} since ", note);

        var e = Assert.Throws<RunDirectoryBusyException>(() => RunDirectoryLock.Acquire(dir));
        Assert.Contains($"is being written by pid {Environment.ProcessId} on host {Environment.MachineName}", e.Message);
        Assert.Equal(Path.GetFullPath(dir), e.Dir);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Null(RunDirectoryLock.TryAcquire(dir, out var holder));
        Assert.Equal(note.Trim(), holder);
        Assert.Equal(note.Trim(), RunDirectoryLock.Holder(dir));

        first.Dispose();
        Assert.Null(RunDirectoryLock.Holder(dir));
        Assert.False(File.Exists(Path.Combine(dir, RunDirectoryLock.HolderFileName)));
        using var second = RunDirectoryLock.Acquire(dir);
        Assert.True(File.Exists(Path.Combine(dir, RunDirectoryLock.HolderFileName)));
    }

    [Fact]
    public void AskingWhoHoldsADirectoryWritesNothing()
    {
        var dir = Dir();
        Assert.Null(RunDirectoryLock.Holder(dir));
        Assert.False(Directory.Exists(dir));
        Directory.CreateDirectory(dir);
        Assert.Null(RunDirectoryLock.Holder(dir));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Assert.True(RunDirectoryLock.IsLockFile(Path.Combine(dir, ".lock")));
        Assert.True(RunDirectoryLock.IsLockFile(".lock.holder"));
        Assert.False(RunDirectoryLock.IsLockFile(Path.Combine(dir, "history.csv")));
    }

    [Fact]
    public void ANoteLeftByADeadWriterDoesNotStopTheNext()
    {
        var dir = Dir();
        Directory.CreateDirectory(dir);
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        File.WriteAllText(Path.Combine(dir, RunDirectoryLock.HolderFileName), $"pid {gone.Id} on host {Environment.MachineName} since 2000-01-01 00:00:00Z: killed\n");
        using var held = RunDirectoryLock.Acquire(dir);
        Assert.StartsWith($"pid {Environment.ProcessId} ", File.ReadAllText(Path.Combine(dir, RunDirectoryLock.HolderFileName)));
    }

    /// <summary>Another program's flock on the file counts; when that process is killed the kernel lets go, so no lock goes stale.</summary>
    [Fact]
    public void AnotherProcesssLockCountsAndDiesWithIt()
    {
        var dir = Dir();
        Directory.CreateDirectory(dir);
        var lockFile = Path.Combine(dir, RunDirectoryLock.FileName);
        using var other = Process.Start(new ProcessStartInfo("flock", ["--exclusive", lockFile, "sleep", "60"]))!;
        var clock = Stopwatch.StartNew();
        while (RunDirectoryLock.Holder(dir) is null && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);

        var e = Assert.Throws<RunDirectoryBusyException>(() => RunDirectoryLock.Acquire(dir));
        Assert.Contains("another process (it left no note of who it is)", e.Message);
        // flock(1) holds the lock in itself and in the command it runs (the descriptor is inherited): both must end, and
        // the kernel lets go as the last of them does (WaitForExit sees only the first).
        other.Kill(entireProcessTree: true);
        other.WaitForExit();
        clock.Restart();
        while (RunDirectoryLock.Holder(dir) is not null && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);
        using var held = RunDirectoryLock.Acquire(dir);
    }
}
