namespace Research.Training.Tests;

public class CifarTests
{
    private static byte[] Image(int seed) => Files.Pattern(Cifar.ImageBytes, seed);

    /// <summary>Six CIFAR-10 files with `perFile` records each; record r of file f has label (f + r) % 10.</summary>
    private static void WriteCifar10(string dir, int perFile)
    {
        Directory.CreateDirectory(dir);
        string[] names = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin"), "test_batch.bin"];
        for (int f = 0; f < names.Length; f++)
            Files.Write(Path.Combine(dir, names[f]),
                Files.CifarRecords(Enumerable.Range(0, perFile).Select(r => (new[] { (byte)((f + r) % 10) }, Image(f * 100 + r)))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cifar10ReadsRecordsInOrder(bool subfolder)
    {
        using var dir = new TempDir();
        WriteCifar10(subfolder ? Path.Combine(dir.Path, Cifar.Cifar10Folder) : dir.Path, perFile: 3);
        var (train, test) = Cifar.Load10(dir.Path);

        Assert.Equal((15, 3, 32, 32, 10), (train.Count, train.Channels, train.Height, train.Width, train.Classes));
        Assert.Equal(3, test.Count);
        // Training images are the five batches in order; record 1 of batch 3 is image 7.
        Assert.Equal(Image(2 * 100 + 1), train.Images.AsSpan(7 * Cifar.ImageBytes, Cifar.ImageBytes).ToArray());
        Assert.Equal(3L, train.Labels[7]);
        Assert.Equal(Image(5 * 100 + 2), test.Images.AsSpan(2 * Cifar.ImageBytes, Cifar.ImageBytes).ToArray());
        Assert.Equal([5L, 6L, 7L], test.Labels);
        Assert.Equal("truck", train.ClassNames![9]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cifar100KeepsFineLabels(bool subfolder)
    {
        using var dir = new TempDir();
        var root = subfolder ? Directory.CreateDirectory(Path.Combine(dir.Path, Cifar.Cifar100Folder)).FullName : dir.Path;
        Files.Write(Path.Combine(root, "train.bin"), Files.CifarRecords([([19, 99], Image(1)), ([0, 0], Image(2)), ([3, 42], Image(3))]));
        Files.Write(Path.Combine(root, "test.bin"), Files.CifarRecords([([7, 58], Image(4))]));
        var (train, test) = Cifar.Load100(dir.Path);

        Assert.Equal((3, 100), (train.Count, train.Classes));
        Assert.Equal([99L, 0L, 42L], train.Labels);
        Assert.Equal([58L], test.Labels);
        Assert.Equal(Image(3), train.Images.AsSpan(2 * Cifar.ImageBytes).ToArray());
        Assert.Equal(100, Cifar.Cifar100ClassNames.Distinct().Count());
        Assert.Equal("pickup_truck", test.ClassNames![58]);
    }

    [Fact]
    public void LengthNotAMultipleOfTheRecordIsAnError()
    {
        using var dir = new TempDir();
        WriteCifar10(dir.Path, perFile: 2);
        var path = Path.Combine(dir.Path, "data_batch_4.bin");
        Files.Write(path, [.. File.ReadAllBytes(path), 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Load10(dir.Path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains($"length {2 * 3073 + 3} bytes", e.Message);
        Assert.Contains("3073-byte record", e.Message);

        Files.Write(Path.Combine(dir.Path, "train.bin"), new byte[3073]);
        Files.Write(Path.Combine(dir.Path, "test.bin"), new byte[3074]);
        e = Assert.Throws<InvalidDataException>(() => Cifar.Load100(dir.Path));
        Assert.StartsWith(Path.Combine(dir.Path, "train.bin"), e.Message);
        Assert.Contains("3074-byte record", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsAnError()
    {
        using var dir = new TempDir();
        WriteCifar10(dir.Path, perFile: 2);
        var path = Files.Write(Path.Combine(dir.Path, "test_batch.bin"), Files.CifarRecords([([1], Image(0)), ([10], Image(1))]));
        var e = Assert.Throws<InvalidDataException>(() => Cifar.Load10(dir.Path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("record 1 (byte 3073) has label 10, expected 0..9", e.Message);

        var train = Files.Write(Path.Combine(dir.Path, "train.bin"), Files.CifarRecords([([1, 100], Image(0))]));
        Files.Write(Path.Combine(dir.Path, "test.bin"), Files.CifarRecords([([1, 1], Image(0))]));
        e = Assert.Throws<InvalidDataException>(() => Cifar.Load100(dir.Path));
        Assert.StartsWith(train, e.Message);
        Assert.Contains("has label 100, expected 0..99", e.Message);

        Files.Write(train, Files.CifarRecords([([20, 5], Image(0))]));
        e = Assert.Throws<InvalidDataException>(() => Cifar.Load100(dir.Path));
        Assert.StartsWith(train, e.Message);
        Assert.Contains("coarse label 20, expected 0..19", e.Message);
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => Cifar.Load10(dir.Path));
        Assert.StartsWith(Path.Combine(dir.Path, "data_batch_1.bin"), e.Message);
        Assert.Contains(Cifar.Cifar10Folder, e.Message);

        WriteCifar10(dir.Path, perFile: 1);
        File.Delete(Path.Combine(dir.Path, "data_batch_5.bin"));
        e = Assert.Throws<FileNotFoundException>(() => Cifar.Load10(dir.Path));
        Assert.Equal(Path.Combine(dir.Path, "data_batch_5.bin"), e.FileName);
        Assert.StartsWith(e.FileName, e.Message);
    }
}
