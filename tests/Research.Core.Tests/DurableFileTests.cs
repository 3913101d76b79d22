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
}
