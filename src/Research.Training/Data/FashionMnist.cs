namespace Research.Training.Data;

/// <summary>
/// Fashion-MNIST from its four IDX files: 28×28 grey images, 10 classes. The default directory is
/// where Debian's dataset-fashion-mnist package puts the gzip files; unpacked files (the same names
/// without .gz) are accepted too.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDir = "/usr/share/datasets/fashion-mnist";
    public const int Size = 28;

    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static DatasetPair Load(string? dataDir = null)
    {
        var dir = dataDir ?? DefaultDir;
        var train = LoadPart(dir, "train", "train");
        var test = LoadPart(dir, "t10k", "test");
        return new DatasetPair(train, test);
    }

    private static ImageDataset LoadPart(string dir, string prefix, string part)
    {
        var imagesPath = Find(dir, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(dir, $"{prefix}-labels-idx1-ubyte");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);

        if (images.Rows != Size || images.Columns != Size)
            throw new InvalidDataException($"{imagesPath}: expected {Size}×{Size} images, found {images.Rows}×{images.Columns}");
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{imagesPath}: holds {images.Count} images but {labelsPath} holds {labels.Length} labels; expected equal counts");

        var classes = ClassNames.Count;
        var wide = new long[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            // Checked here, not left to ImageDataset, so the error names the label file.
            if (labels[i] >= classes)
                throw new InvalidDataException($"{labelsPath}: label {i} is {labels[i]}, expected 0..{classes - 1}");
            wide[i] = labels[i];
        }
        // IDX (N, H, W) uint8 is already (N, 1, H, W) row-major: no copy needed.
        return new ImageDataset($"fashion-mnist/{part}", images.Pixels, wide, 1, Size, Size, classes, [.. ClassNames]);
    }

    private static string Find(string dir, string baseName)
    {
        var gz = Path.Combine(dir, baseName + ".gz");
        if (File.Exists(gz)) return gz;
        var raw = Path.Combine(dir, baseName);
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException(
            $"{gz}: not found (nor {baseName} without .gz){(Directory.Exists(dir) ? "" : $"; the directory {dir} does not exist")}. " +
            $"Install Debian's copy with `apt-get install dataset-fashion-mnist` (files go to {DefaultDir}), " +
            "or set data_dir to the folder with the four Fashion-MNIST IDX files.",
            gz);
    }
}
