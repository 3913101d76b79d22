namespace Research.Training.Tests;

public class DatasetCatalogTests
{
    [Fact]
    public void NamesAreTheBuiltInDatasetsAndTheImageFileKinds() =>
        Assert.Equal(["fashion-mnist", "cifar10", "cifar100", "synthetic", "folder", "csv"], DatasetCatalog.Names);

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("mnist", null, null, 0));
        Assert.Contains("'mnist'", e.Message);
        foreach (var name in DatasetCatalog.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void SubsetShortensOnlyTraining()
    {
        var full = DatasetCatalog.Load("synthetic", null, null, seed: 2);
        Assert.Equal((2_000, 500), (full.Train.Count, full.Test.Count));
        var (train, test) = DatasetCatalog.Load("Synthetic", null, subset: 100, seed: 2);
        Assert.Equal((100, 500), (train.Count, test.Count));
        Assert.Equal(full.Train.Images.AsSpan(0, 100 * train.ImageBytes).ToArray(), train.Images);
        Assert.Equal(full.Test.Images, test.Images);
    }

    [Fact]
    public void FileDatasetsComeFromDataDir()
    {
        using var dir = new TempDir();
        Files.FashionMnist(dir.Path, train: 6, test: 3, gzip: true);
        var (train, test) = DatasetCatalog.Load("fashion-mnist", dir.Path, subset: 4, seed: 0);
        Assert.Equal((4, 3), (train.Count, test.Count));

        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("cifar10", null, null, 0));
        Assert.Contains("data_dir", e.Message);
        Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Load("cifar100", dir.Path, null, 0));
    }
}
