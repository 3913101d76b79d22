namespace Research.Training.Tests;

public class FashionMnistTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsTheFourFiles(bool gzip)
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 12, test: 5, gzip);
        var (train, test) = FashionMnist.Load(dir.Path);

        Assert.Equal((12, 1, 28, 28, 10), (train.Count, train.Channels, train.Height, train.Width, train.Classes));
        Assert.Equal(5, test.Count);
        Assert.Equal(Files.Pattern(12 * 784, 1), train.Images);
        Assert.Equal(Files.Pattern(5 * 784, 2), test.Images);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)(i % 10)), train.Labels);
        Assert.Equal("T-shirt/top", train.ClassNames![0]);
        Assert.Equal("Ankle boot", test.ClassNames![9]);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 4, test: 2, gzip: true);
        var labels = Files.Write(dir.File("train-labels-idx1-ubyte.gz"), Files.IdxLabels([1, 2, 3]), gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.StartsWith(dir.File("train-images-idx3-ubyte.gz"), e.Message);
        Assert.Contains("4 images", e.Message);
        Assert.Contains($"{labels} holds 3 labels", e.Message);
    }

    [Fact]
    public void WrongImageSizeIsAnError()
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 2, test: 2, gzip: false);
        var path = Files.Write(dir.File("t10k-images-idx3-ubyte"), Files.IdxImages(2, 32, 32, new byte[2 * 32 * 32]));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("expected 28×28 images, found 32×32", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheLabelFile()
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 3, test: 2, gzip: false);
        var path = Files.Write(dir.File("train-labels-idx1-ubyte"), Files.IdxLabels([0, 10, 1]));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("label 1 is 10, expected 0..9", e.Message);
    }

    [Fact]
    public void MissingFileSaysHowToGetIt()
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 2, test: 2, gzip: true);
        File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path));
        Assert.Equal(dir.File("t10k-labels-idx1-ubyte.gz"), e.FileName);
        Assert.StartsWith(dir.File("t10k-labels-idx1-ubyte.gz"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("data_dir", e.Message);
    }

    [FashionMnistFact]
    public void LoadsDebiansFiles()
    {
        var (train, test) = FashionMnist.Load();
        Assert.Equal((60_000, 1, 28, 28, 10), (train.Count, train.Channels, train.Height, train.Width, train.Classes));
        Assert.Equal(10_000, test.Count);
        // Fashion-MNIST is exactly balanced: 6,000 training and 1,000 test images a class.
        Assert.All(train.Labels.CountBy(l => l), kv => Assert.Equal(6_000, kv.Value));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), train.Labels.Distinct().Order());
        Assert.All(test.Labels.CountBy(l => l), kv => Assert.Equal(1_000, kv.Value));
        Assert.Equal(10, test.Labels.Distinct().Count());
        // Real images: mostly dark background with some bright pixels, not all zeros.
        Assert.Contains(train.Images.AsSpan(0, 784).ToArray(), b => b > 200);
    }
}
