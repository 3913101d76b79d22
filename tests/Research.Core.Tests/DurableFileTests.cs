using Research.Core.IO;

namespace Research.Core.Tests;

public class DurableFileTests
{
    private static string Dir() => Directory.CreateTempSubdirectory("durable").FullName;

    [Fact]
    public void ReplacesTheFileAndLeavesNoTemporaryBehind()
    {
        var dir = Dir();
        var path = Path.Combine(dir, "a.txt");
        File.WriteAllText(path, "old");
        File.WriteAllText(path + DurableFile.TemporarySuffix, "left by a crash");
        DurableFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void AFailingWriterKeepsThePreviousFileAndRemovesItsTemporary()
    {
        var dir = Dir();
        var path = Path.Combine(dir, "a.txt");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InvalidOperationException>(() => DurableFile.Write(path, s =>
        {
            s.Write("half"u8);
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("writer failed", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void AnIoErrorNamesThePath()
    {
        var dir = Dir();
        var blocked = Path.Combine(dir, "file-not-folder");
        File.WriteAllText(blocked, "x");
        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllText(Path.Combine(blocked, "a.txt"), "y"));
        Assert.Contains(blocked, e.Message);
    }

    [Fact]
    public void CreatesTheFolderAndCopiesWhole()
    {
        var dir = Dir();
        var source = Path.Combine(dir, "s.bin");
        File.WriteAllBytes(source, [1, 2, 3]);
        var dest = Path.Combine(dir, "sub", "d.bin");
        DurableFile.Copy(source, dest);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(dest));
    }

    [Fact]
    public void ASymbolicLinkIsWrittenThroughAndStaysALink()
    {
        var dir = Dir();
        Directory.CreateDirectory(Path.Combine(dir, "results"));
        var target = Path.Combine(dir, "results", "target.csv");
        File.WriteAllText(target, "old");
        var link = Path.Combine(dir, "link.csv");
        File.CreateSymbolicLink(link, "results/target.csv"); // relative, as `ln -s` makes them
        var chained = Path.Combine(dir, "chained.csv");
        File.CreateSymbolicLink(chained, link);

        DurableFile.WriteAllText(link, "new");
        Assert.Equal("symbolic link", Shell.Stat(link));
        Assert.Equal("new", File.ReadAllText(target));
        DurableFile.WriteAllText(chained, "newer");
        Assert.Equal("symbolic link", Shell.Stat(chained));
        Assert.Equal("symbolic link", Shell.Stat(link));
        Assert.Equal("newer", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir, "*" + DurableFile.TemporarySuffix, SearchOption.AllDirectories));
    }

    [Fact]
    public void ADanglingLinkCreatesItsTarget()
    {
        var dir = Dir();
        var link = Path.Combine(dir, "link.csv");
        File.CreateSymbolicLink(link, Path.Combine(dir, "made.csv"));
        DurableFile.WriteAllText(link, "x");
        Assert.Equal("symbolic link", Shell.Stat(link));
        Assert.Equal("x", File.ReadAllText(Path.Combine(dir, "made.csv")));
    }

    [Fact]
    public void AFifoIsWrittenToAndItsReaderGetsTheContents()
    {
        var dir = Dir();
        var fifo = Path.Combine(dir, "out.csv");
        Shell.Run("mkfifo", fifo);
        // The reader opens first and reads to the end, as `cat fifo` or another tool would.
        var reader = Task.Factory.StartNew(() => File.ReadAllText(fifo), TaskCreationOptions.LongRunning);
        DurableFile.WriteAllText(fifo, "a,b\n1,2\n");
        Assert.True(reader.Wait(TimeSpan.FromSeconds(20)), "the FIFO's reader got nothing (was the FIFO replaced?)");
        Assert.Equal("a,b\n1,2\n", reader.Result);
        Assert.Equal("fifo", Shell.Stat(fifo));
        Assert.Equal([fifo], Directory.GetFileSystemEntries(dir));
    }

    /// <summary>A device node of our own (mknod, root only), never the system's /dev/full: replacing that is the bug.</summary>
    [RootFact]
    public void AFullDeviceIsAnErrorAndStaysADevice()
    {
        var dir = Dir();
        var full = Path.Combine(dir, "full");
        Shell.Run("mknod", full, "c", "1", "7");
        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllText(full, new string('x', 100_000)));
        Assert.Contains(full, e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal("character special file", Shell.Stat(full));
        Assert.Equal([full], Directory.GetFileSystemEntries(dir));
    }

    /// <summary>As root, a null device of our own (the system's is not put at risk); otherwise /dev/null itself, which a non-root writer cannot replace.</summary>
    [Fact]
    public void ANullDeviceSwallowsTheWriteAndStaysADevice()
    {
        string device = "/dev/null";
        if (RootFactAttribute.IsRoot)
        {
            device = Path.Combine(Dir(), "null");
            Shell.Run("mknod", device, "c", "1", "3");
        }
        DurableFile.WriteAllText(device, "discarded");
        Assert.Equal("character special file", Shell.Stat(device));
        Assert.Equal(0, new FileInfo(device).Length);
    }

    /// <summary>A folder that cannot be made is an IOException naming it, whatever .NET threw (here a file in the way: DirectoryNotFoundException).</summary>
    [Fact]
    public void AFolderThatCannotBeMadeIsAnIoErrorNamingIt()
    {
        var dir = Dir();
        var file = Path.Combine(dir, "file");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<IOException>(() => DurableFile.CreateDirectory(Path.Combine(file, "sub")));
        Assert.Equal(typeof(IOException), e.GetType());
        Assert.StartsWith($"could not create the folder {Path.Combine(file, "sub")}: ", e.Message);
        e = Assert.Throws<IOException>(() => DurableFile.WriteAllText(Path.Combine(file, "sub", "a.txt"), "y"));
        Assert.Equal(typeof(IOException), e.GetType());
        Assert.Contains($"could not create the folder {Path.Combine(file, "sub")}", e.Message);
    }
}
