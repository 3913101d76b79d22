using Research.Bench.ImageFolders;
using Research.Torch;
using Research.Training.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Research.Training.Tests;

/// <summary>Folder and CSV datasets: what they read, the cache, the splits, the recipes, and every kind of bad input.</summary>
// Serial: one test seeds torch's global generator twice and compares the crops it draws.
[Collection("Serial training")]
public class ImageFileDatasetTests
{
    /// <summary>A folder copy of a synthetic dataset (lossless PNGs): 40 training and 20 test images of 10 classes.</summary>
    private static (string Root, DatasetPair Source) Folder(TempDir dir, bool withTest = true)
    {
        var source = Synthetic.Load(seed: 5, trainCount: 40, testCount: 20);
        var root = dir.File("data");
        ImageFolderWriter.WritePng(source.Train, root, "train");
        if (withTest) ImageFolderWriter.WritePng(source.Test, root, "test");
        return (root, source);
    }

    private static DataConfig Config(string root, string? cache = null) => new() { Name = DatasetCatalog.FolderName, DataDir = root, CacheDir = cache };

    private static byte[] Image(ImageDataset data, int i)
    {
        var bytes = new byte[data.ImageBytes];
        data.CopyImage(i, bytes);
        return bytes;
    }

    [Fact]
    public void AFolderDatasetReadsEveryImageExactlyWithSortedClassesAndIsCachedOnce()
    {
        using var dir = new TempDir();
        var (root, source) = Folder(dir);
        var log = new StringWriter();
        var pair = Config(root).Load(0, log);
        Assert.Equal((40, 20, 1, 28, 10), (pair.Train.Count, pair.Test.Count, pair.Train.Channels, pair.Train.Height, pair.Train.Classes));
        Assert.Equal(ImageRecipe.SmallImage, pair.Recipe);
        Assert.Equal(ImageFolderWriter.ClassFolder(0, source.Train.ClassNames![0]), pair.Train.ClassNames![0]);
        // Files are read in class order, then name order; every pixel survives (PNG is lossless, the size is native).
        var expected = Enumerable.Range(0, 40).OrderBy(i => source.Train.Labels[i]).ThenBy(i => i).ToList();
        for (int k = 0; k < 40; k++)
        {
            Assert.Equal(source.Train.Labels[expected[k]], pair.Train.Labels[k]);
            Assert.Equal(Image(source.Train, expected[k]), Image(pair.Train, k));
        }
        Assert.Contains("decoded", log.ToString());
        var again = new StringWriter();
        var second = Config(root).Load(0, again);
        Assert.Contains(": found", again.ToString());
        Assert.DoesNotContain("decoding", again.ToString());
        Assert.Equal(pair.Fingerprint, second.Fingerprint);
        Assert.Equal(Image(pair.Train, 7), Image(second.Train, 7));
    }

    [Fact]
    public void AChangedFileMakesANewCacheAndFingerprint()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var first = Config(root).Load(0);
        var file = Directory.GetFiles(Path.Combine(root, "train"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        using (var image = new Image<L8>(28, 28)) image.SaveAsPng(file); // a black image, another size on disk
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
        var log = new StringWriter();
        var second = Config(root).Load(0, log);
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        Assert.Contains("decoded", log.ToString());
        Assert.All(Image(second.Train, 0), b => Assert.Equal(0, b));
    }

    [Fact]
    public void ADamagedCacheIsRebuiltNotTrustedAndALeftoverTemporaryIsRemoved()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var cacheDir = dir.File("cache");
        var pair = Config(root, cacheDir).Load(0);
        var cache = Directory.GetFiles(cacheDir, "*" + ImageCache.Suffix).Single();
        // A build killed half-way leaves only its temporary file; a damaged cache is cut short.
        File.WriteAllBytes(cache + ".999" + Research.Core.IO.DurableFile.TemporarySuffix, new byte[100]);
        using (var f = File.OpenWrite(cache)) f.SetLength(f.Length / 2);
        var log = new StringWriter();
        var again = Config(root, cacheDir).Load(0, log);
        Assert.Contains("rebuilding", log.ToString());
        Assert.Equal([cache], Directory.GetFiles(cacheDir));
        Assert.Equal(Image(pair.Train, 3), Image(again.Train, 3));
    }

    [Fact]
    public void StreamingReadsTheSameImagesAsMemory()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var memory = (Config(root) with { Cache = DataConfig.CacheMemory }).Load(0);
        var stream = (Config(root) with { Cache = DataConfig.CacheStream }).Load(0);
        Assert.False(memory.Train.Streamed);
        Assert.True(stream.Train.Streamed);
        Assert.Throws<InvalidOperationException>(() => stream.Train.Images);
        for (int i = 0; i < 40; i++) Assert.Equal(Image(memory.Train, i), Image(stream.Train, i));
        var a = new DataLoader(memory.Train, 16, shuffle: true, dropLast: true, Device.CPU, seed: 3);
        var b = new DataLoader(stream.Train, 16, shuffle: true, dropLast: true, Device.CPU, seed: 3);
        foreach (var (x, y) in a.Epoch(1).Zip(b.Epoch(1)))
            using (x)
            using (y)
                Assert.True(x.Images.equal(y.Images));
        Assert.Equal(ChannelStats.Of(memory.Train).Mean, ChannelStats.Of(stream.Train).Mean);
    }

    [Fact]
    public void WithoutATestFolderASeededPartOfTheTrainingImagesIsTheTestPart()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir, withTest: false);
        var pair = (Config(root) with { Validation = 0.25 }).Load(0);
        Assert.Equal((30, 10), (pair.Train.Count, pair.Test.Count));
    }

    [Fact]
    public void ACsvListTakesNamesOrNumbersSplitsAndRelativePaths()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var files = Directory.GetFiles(Path.Combine(root, "train"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(6).ToList();
        var csv = dir.File("list.csv");
        File.WriteAllLines(csv, ["path,label,split", .. files.Select((f, i) => $"{Path.GetRelativePath(dir.Path, f)},{(i % 2 == 0 ? "cat" : "dog")},{(i < 4 ? "train" : "test")}")]);
        var pair = new DataConfig { Name = DatasetCatalog.CsvName, DataDir = csv }.Load(0);
        Assert.Equal((4, 2, 2), (pair.Train.Count, pair.Test.Count, pair.Train.Classes));
        Assert.Equal(["cat", "dog"], pair.Train.ClassNames!);
        Assert.Equal([0L, 1, 0, 1], pair.Train.Labels);

        File.WriteAllLines(csv, ["path,label", .. files.Select((f, i) => $"{Path.GetRelativePath(dir.Path, f)},{i % 3}")]);
        var numbered = new DataConfig { Name = DatasetCatalog.CsvName, DataDir = csv, Validation = 0.5 }.Load(0);
        Assert.Equal(["0", "1", "2"], numbered.Train.ClassNames!);
    }

    [Theory]
    [InlineData("missing", "list.csv:3: nope.png: file not found")]
    [InlineData("label", "list.csv:3: unknown label 'bird'")]
    [InlineData("split", "list.csv:2: split 'dev' is not one of train, val, test")]
    [InlineData("header", "list.csv:1: the header must name the columns path and label")]
    public void ACsvProblemNamesItsLine(string problem, string expected)
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var file = Path.GetRelativePath(dir.Path, Directory.GetFiles(Path.Combine(root, "train"), "*.png", SearchOption.AllDirectories).First());
        var csv = dir.File("list.csv");
        File.WriteAllLines(csv, problem switch
        {
            "missing" => ["path,label", $"{file},cat", "nope.png,cat"],
            "label" => ["path,label,split", $"{file},cat,train", $"{file},bird,test"],
            "split" => ["path,label,split", $"{file},cat,dev"],
            _ => ["file,class", $"{file},cat"],
        });
        var e = Assert.Throws<InvalidDataException>(() => new DataConfig { Name = DatasetCatalog.CsvName, DataDir = csv }.Load(0));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BadImagesAreErrorsNamingTheFileOrSkippedAndListed()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var classDir = Directory.GetDirectories(Path.Combine(root, "train")).Order(StringComparer.Ordinal).First();
        var truncated = Path.Combine(classDir, "truncated.png");
        var good = File.ReadAllBytes(Directory.GetFiles(classDir, "*.png").First());
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        var notImage = Path.Combine(classDir, "notes.txt");
        File.WriteAllText(notImage, "not an image");
        var e = Assert.Throws<InvalidDataException>(() => Config(root).Load(0));
        Assert.Contains(truncated, e.Message);
        Assert.Contains($"{notImage}: not an image file", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(root, ".research-cache"), "*" + ImageCache.Suffix));

        var pair = (Config(root) with { BadImages = BadImagePolicy.Skip }).Load(0);
        Assert.Equal(40, pair.Train.Count);
        Assert.Equal([notImage, truncated], pair.Skipped.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Files left out by --bad-images skip do not decide the dataset's shape: with a 50000x50000 PNG (over the pixel
    /// limit) and a 300x300 PNG cut short (its header reads, its pixels do not) among 28x28 images, the dataset stays
    /// 28x28 on the small-image recipe (it was stored at 256 on the natural-image one).
    /// </summary>
    [Fact]
    public void SkippedImagesDoNotDecideTheDatasetsShape()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var expected = Config(root, dir.File("clean-cache")).Load(0);
        var classDir = Directory.GetDirectories(Path.Combine(root, "train")).Order(StringComparer.Ordinal).First();
        var huge = Path.Combine(classDir, "000-huge.png");
        File.WriteAllBytes(huge, ImageBombs.Png(50000, 50000, rows: 0));
        var cut = Path.Combine(classDir, "000-cut.png");
        var rng = new Random(7);
        using (var photo = new Image<L8>(300, 300))
        {
            photo.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                    foreach (ref var p in rows.GetRowSpan(y)) p = new((byte)rng.Next(256));
            });
            using var png = new MemoryStream();
            photo.SaveAsPng(png);
            File.WriteAllBytes(cut, png.ToArray()[..(int)(png.Length / 2)]);
        }
        var pair = (Config(root) with { BadImages = BadImagePolicy.Skip }).Load(0);
        Assert.Equal([cut, huge], pair.Skipped.Order(StringComparer.Ordinal));
        Assert.Equal((expected.Train.Channels, expected.Train.Height, expected.Recipe, expected.Shape.Size),
            (pair.Train.Channels, pair.Train.Height, pair.Recipe, pair.Shape.Size));
        Assert.Equal((1, 28), (pair.Train.Channels, pair.Train.Height));
        // The experiment file's view of the dataset (from the same choice) agrees.
        Assert.Equal(28, ImageFileDataset.Describe(Config(root) with { BadImages = BadImagePolicy.Skip }).Shape.Size);
    }

    /// <summary>A cache whose pixels were rewritten in place, keeping its size and modification time, is rebuilt from the images, not trusted.</summary>
    [Fact]
    public void ACacheWhosePixelsWereRewrittenIsRebuilt()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var cacheDir = dir.File("cache");
        var pair = Config(root, cacheDir).Load(0);
        var cache = Directory.GetFiles(cacheDir, "*" + ImageCache.Suffix).Single();
        var time = File.GetLastWriteTimeUtc(cache);
        var bytes = File.ReadAllBytes(cache);
        for (int i = bytes.Length - 28 * 28; i < bytes.Length; i++) bytes[i] ^= 0xFF; // the last image, inverted
        File.WriteAllBytes(cache, bytes);
        File.SetLastWriteTimeUtc(cache, time);
        var log = new StringWriter();
        var again = Config(root, cacheDir).Load(0, log);
        Assert.Contains("does not match its name or its digest", log.ToString());
        for (int i = 0; i < pair.Train.Count; i++) Assert.Equal(Image(pair.Train, i), Image(again.Train, i));
        for (int i = 0; i < pair.Test.Count; i++) Assert.Equal(Image(pair.Test, i), Image(again.Test, i));
    }

    [Fact]
    public void ACsvListNumberingMoreClassesThanTheBoundIsRefused()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var file = Path.GetRelativePath(dir.Path, Directory.GetFiles(Path.Combine(root, "train"), "*.png", SearchOption.AllDirectories).First());
        var csv = dir.File("list.csv");
        File.WriteAllLines(csv, ["path,label", $"{file},0", $"{file},2000000000"]);
        var e = Assert.Throws<InvalidDataException>(() => new DataConfig { Name = DatasetCatalog.CsvName, DataDir = csv }.Load(0));
        Assert.Contains($"{csv}: the label 2000000000 asks for 2000000001 classes", e.Message);
    }

    [Fact]
    public void LayoutProblemsNameTheFolder()
    {
        using var dir = new TempDir();
        var (root, _) = Folder(dir);
        var empty = Path.Combine(root, "train", "99_empty");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<InvalidDataException>(() => Config(root).Load(0));
        Assert.Contains($"{empty}: empty class folder", e.Message);
        Directory.Delete(empty);
        Directory.CreateDirectory(Path.Combine(root, "test", "98_unknown"));
        File.Copy(Directory.GetFiles(Path.Combine(root, "test"), "*.png", SearchOption.AllDirectories).First(), Path.Combine(root, "test", "98_unknown", "a.png"));
        e = Assert.Throws<InvalidDataException>(() => Config(root).Load(0));
        Assert.Contains("class '98_unknown' is not one of train/'s", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Config(dir.File("nothing-here")).Load(0));
    }

    [Fact]
    public void NaturalImagesAreStoredAt256AndTrainAt224WithTorchvisionsCrops()
    {
        using var dir = new TempDir();
        var root = dir.File("photos");
        ImageFolderWriter.WriteJpegs(root, 12, 300, 3, seed: 1);
        var pair = Config(root).Load(0);
        Assert.Equal((3, 256, ImageRecipe.NaturalImage, 224), (pair.Train.Channels, pair.Train.Height, pair.Recipe, pair.Shape.Size));
        var transform = new BatchTransform(pair.Stats(), 3, 224, new AugmentConfig { HorizontalFlip = true }, pair.Recipe);
        var loader = new DataLoader(pair.Train, 4, shuffle: false, dropLast: false, Device.CPU);
        using var batch = loader.Epoch(0).First();
        torch.manual_seed(0);
        using var a = transform.Apply(batch.Images, train: true);
        torch.manual_seed(0);
        using var b = transform.Apply(batch.Images, train: true);
        using var eval = transform.Apply(batch.Images, train: false);
        Assert.Equal([4L, 3, 224, 224], a.shape);
        Assert.True(a.equal(b)); // the crops come from torch's generator
        Assert.Equal([4L, 3, 224, 224], eval.shape);
        // Evaluation is the central 224 of the stored 256 (no resize needed), normalised.
        using var centre = batch.Images.to(ScalarType.Float32).div(255.0).narrow(2, 16, 224).narrow(3, 16, 224);
        var stats = pair.Stats();
        using var mean = torch.tensor(stats.Mean, [1, 3, 1, 1]);
        using var std = torch.tensor(stats.Std, [1, 3, 1, 1]);
        using var expected = (centre - mean) / std;
        Assert.True(eval.allclose(expected, 1e-5, 1e-5));
    }
}
