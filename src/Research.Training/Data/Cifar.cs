namespace Research.Training.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 in their binary versions (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz
/// from https://www.cs.toronto.edu/~kriz/cifar.html). Each record is its label byte(s) then 3072 bytes
/// of a 3×32×32 image, already channel-major (all red, all green, all blue), so records copy straight
/// into the (N, C, H, W) layout. The directory may be the unpacked folder or the one holding it.
/// </summary>
public static class Cifar
{
    public const int Channels = 3;
    public const int Size = 32;
    public const int ImageBytes = Channels * Size * Size;

    public const string Cifar10Folder = "cifar-10-batches-bin";
    public const string Cifar100Folder = "cifar-100-binary";

    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>CIFAR-100's fine labels, in label order (fine_label_names.txt).</summary>
    public static IReadOnlyList<string> Cifar100ClassNames { get; } =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    private const int Cifar100CoarseClasses = 20;

    public static DatasetPair Load10(string dir)
    {
        var root = Resolve(dir, Cifar10Folder, "data_batch_1.bin", "cifar-10-binary.tar.gz");
        var train = Read("cifar10/train", [.. Enumerable.Range(1, 5).Select(i => Path.Combine(root, $"data_batch_{i}.bin"))], Cifar10ClassNames, coarse: false);
        var test = Read("cifar10/test", [Path.Combine(root, "test_batch.bin")], Cifar10ClassNames, coarse: false);
        return new DatasetPair(train, test);
    }

    public static DatasetPair Load100(string dir)
    {
        var root = Resolve(dir, Cifar100Folder, "train.bin", "cifar-100-binary.tar.gz");
        var train = Read("cifar100/train", [Path.Combine(root, "train.bin")], Cifar100ClassNames, coarse: true);
        var test = Read("cifar100/test", [Path.Combine(root, "test.bin")], Cifar100ClassNames, coarse: true);
        return new DatasetPair(train, test);
    }

    /// <summary>The folder itself when it holds the files, else its unpacked subfolder when that does.</summary>
    private static string Resolve(string dir, string folder, string probe, string archive)
    {
        if (File.Exists(Path.Combine(dir, probe))) return dir;
        var sub = Path.Combine(dir, folder);
        if (File.Exists(Path.Combine(sub, probe))) return sub;
        var path = Path.Combine(dir, probe);
        throw new FileNotFoundException(
            $"{path}: not found (nor {Path.Combine(sub, probe)}){(Directory.Exists(dir) ? "" : $"; the directory {dir} does not exist")}. " +
            $"Set data_dir to the folder holding the unpacked {archive} (https://www.cs.toronto.edu/~kriz/cifar.html).",
            path);
    }

    /// <summary>
    /// Reads whole records from each file. CIFAR-100 records carry a coarse label byte before the
    /// fine one; the fine label is kept (100 classes) and the coarse one only range-checked.
    /// </summary>
    private static ImageDataset Read(string name, string[] paths, IReadOnlyList<string> classNames, bool coarse)
    {
        var labelBytes = coarse ? 2 : 1;
        var recordBytes = labelBytes + ImageBytes;
        var counts = new int[paths.Length];
        long total = 0;
        for (int f = 0; f < paths.Length; f++)
        {
            var info = new FileInfo(paths[f]);
            if (!info.Exists)
                throw new FileNotFoundException($"{paths[f]}: not found; the CIFAR folder is incomplete", paths[f]);
            if (info.Length == 0 || info.Length % recordBytes != 0)
                throw new InvalidDataException(
                    $"{paths[f]}: length {info.Length} bytes is not a positive multiple of the {recordBytes}-byte record ({labelBytes} label byte(s) + {ImageBytes} image bytes)");
            counts[f] = (int)(info.Length / recordBytes);
            total += counts[f];
        }
        if (total * ImageBytes > Array.MaxLength)
            throw new InvalidDataException($"{paths[0]}: {total} images are more than one array can hold");

        var images = new byte[total * ImageBytes];
        var labels = new long[total];
        var classes = classNames.Count;
        int n = 0;
        for (int f = 0; f < paths.Length; f++)
        {
            var bytes = File.ReadAllBytes(paths[f]);
            // The length was checked above; a file changing under us would be a different error.
            if (bytes.Length != (long)counts[f] * recordBytes)
                throw new InvalidDataException($"{paths[f]}: length changed while reading ({bytes.Length} bytes, expected {(long)counts[f] * recordBytes})");
            for (int r = 0; r < counts[f]; r++, n++)
            {
                var offset = r * recordBytes;
                if (coarse && bytes[offset] >= Cifar100CoarseClasses)
                    throw new InvalidDataException(
                        $"{paths[f]}: record {r} (byte {offset}) has coarse label {bytes[offset]}, expected 0..{Cifar100CoarseClasses - 1}");
                var label = bytes[offset + labelBytes - 1];
                if (label >= classes)
                    throw new InvalidDataException(
                        $"{paths[f]}: record {r} (byte {offset + labelBytes - 1}) has label {label}, expected 0..{classes - 1}");
                labels[n] = label;
                bytes.AsSpan(offset + labelBytes, ImageBytes).CopyTo(images.AsSpan(n * ImageBytes));
            }
        }
        return new ImageDataset(name, images, labels, Channels, Size, Size, classes, [.. classNames]);
    }
}
