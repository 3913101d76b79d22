namespace Research.Training.Data;

/// <summary>
/// Datasets by the names the CLI accepts (--dataset). --subset shortens only the training part,
/// so quick runs are still scored on the whole test set and stay comparable with full runs.
/// </summary>
public static class DatasetCatalog
{
    public const string FashionMnistName = "fashion-mnist";
    public const string Cifar10Name = "cifar10";
    public const string Cifar100Name = "cifar100";
    public const string SyntheticName = "synthetic";
    /// <summary>A folder of images, one subfolder per class (<see cref="ImageSource.FromFolder"/>).</summary>
    public const string FolderName = "folder";
    /// <summary>A CSV list of image files and labels (<see cref="ImageSource.FromCsv"/>).</summary>
    public const string CsvName = "csv";

    public static IReadOnlyList<string> Names { get; } = [FashionMnistName, Cifar10Name, Cifar100Name, SyntheticName, FolderName, CsvName];

    /// <summary>The researcher's own images, read through the image cache rather than a reader of a fixed format.</summary>
    public static bool IsImageFiles(string name) => name is FolderName or CsvName;

    /// <param name="name">one of <see cref="Names"/> (case-insensitive)</param>
    /// <param name="dataDir">where the files are; null for Fashion-MNIST's Debian default. Unused by synthetic.</param>
    /// <param name="subset">keep only the first n training images; null keeps all</param>
    /// <param name="seed">seeds the synthetic images; the file-backed datasets ignore it</param>
    public static DatasetPair Load(string name, string? dataDir, int? subset, int seed)
    {
        var pair = name.Trim().ToLowerInvariant() switch
        {
            FashionMnistName => FashionMnist.Load(dataDir),
            Cifar10Name => Cifar.Load10(dataDir ?? throw NoDefaultDir(Cifar10Name, Cifar.Cifar10Folder)),
            Cifar100Name => Cifar.Load100(dataDir ?? throw NoDefaultDir(Cifar100Name, Cifar.Cifar100Folder)),
            SyntheticName => Synthetic.Load(seed),
            FolderName or CsvName => throw new ArgumentException($"{name}: image-file datasets load through DataConfig (they need its cache settings)"),
            _ => throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
        return subset is null ? pair : pair with { Train = pair.Train.Take(subset) };
    }

    private static ArgumentException NoDefaultDir(string name, string folder) =>
        new($"{name} has no default location: set data_dir to the {folder} folder (or the one holding it)", "dataDir");
}
