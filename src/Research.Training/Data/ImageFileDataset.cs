using Research.Models.Networks;
using Research.Training.Transforms;
using SixLabors.ImageSharp;

namespace Research.Training.Data;

/// <summary>
/// A researcher's own images (a folder or a CSV list, <see cref="ImageSource"/>) as a dataset:
/// decoded once into the <see cref="ImageCache"/>, then held in memory when it fits comfortably
/// (a quarter of the memory available to the process) or streamed from the cache file with positioned
/// reads. The splits are the source's: test/ (else val/) scores the epochs; with both, val/ is the
/// held-out part for model selection; with neither, a seeded <c>validation</c> fraction of the
/// training images is held out as the test part.
/// </summary>
public static class ImageFileDataset
{
    /// <summary>The automatic stored size of natural images (ImageNet pipelines store 256 to train at 224).</summary>
    public const int NaturalImageSize = 256;

    /// <summary>Images the automatic channel and size choices decide by.</summary>
    private const int SampleForAuto = 64;

    public static ImageSource Source(DataConfig cfg)
    {
        var location = cfg.DataDir ?? throw new ArgumentException($"dataset {cfg.Name} needs data_dir: the {(cfg.Name == DatasetCatalog.FolderName ? "dataset folder (train/<class>/…)" : "CSV list (path,label[,split])")}");
        return cfg.Name == DatasetCatalog.FolderName ? ImageSource.FromFolder(location) : ImageSource.FromCsv(location);
    }

    /// <summary>
    /// The channels and stored size the settings give, or, when automatic, those of the first training images
    /// that decode: a file the cache would leave out (unreadable, or over a bound) never decides the dataset's shape.
    /// </summary>
    public static (int Channels, int Size) Geometry(DataConfig cfg, ImageSource source)
    {
        if (cfg.Channels is { } c && cfg.ImageSize is { } s) return (c, s);
        var sample = ReadableSample(source);
        if (sample.Count == 0) throw new InvalidDataException($"{source.Location}: none of its training files is a readable image");
        // 8 or 16 bits per pixel is grayscale (with or without alpha); colour images have 24 or more.
        int channels = cfg.Channels ?? (sample.All(i => i.PixelType.BitsPerPixel <= 16) ? 1 : 3);
        int size = cfg.ImageSize ?? (sample.All(i => Math.Max(i.Width, i.Height) <= ImageRecipes.SmallImageLimit)
            ? sample.Min(i => Math.Min(i.Width, i.Height))
            : NaturalImageSize);
        return (channels, size);
    }

    /// <summary>The headers of the first <see cref="SampleForAuto"/> training images that decode, in the source's order.</summary>
    private static List<IImageInfo> ReadableSample(ImageSource source)
    {
        var sample = new List<IImageInfo>();
        foreach (var chunk in source.Of(ImageSource.Train).Where(e => ImageDecoding.IsImageFile(e.Path)).Chunk(SampleForAuto))
        {
            var infos = new IImageInfo?[chunk.Length];
            Parallel.For(0, chunk.Length, i => infos[i] = Readable(chunk[i].Path));
            sample.AddRange(infos.OfType<IImageInfo>().Take(SampleForAuto - sample.Count));
            if (sample.Count == SampleForAuto) break;
        }
        return sample;
    }

    /// <summary>The header of an image that decodes whole (to one pixel, so nothing is kept), or null.</summary>
    private static IImageInfo? Readable(string path)
    {
        try
        {
            var info = ImageDecoding.Inspect(path);
            Span<byte> pixel = stackalloc byte[1];
            ImageDecoding.Decode(path, 1, 1, 1, pixel);
            return info;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What the dataset feeds a network (for validating an experiment file before anything is decoded) and its fingerprint.</summary>
    public static (InputShape Shape, string Fingerprint) Describe(DataConfig cfg)
    {
        var source = Source(cfg);
        var (channels, size) = Geometry(cfg, source);
        var recipe = ImageRecipes.For(size);
        return (new InputShape($"{cfg.Name}/{ImageSource.Train}", source.ClassNames.Length, channels, ImageRecipes.Resolution(recipe, size)),
            ImageCache.Key(source, channels, size, cfg.BadImages));
    }

    public static DatasetPair Load(DataConfig cfg, TextWriter? progress)
    {
        var source = Source(cfg);
        var (channels, size) = Geometry(cfg, source);
        var cacheDir = cfg.CacheDir ?? Path.Combine(cfg.Name == DatasetCatalog.FolderName ? source.Location : Path.GetDirectoryName(Path.GetFullPath(source.Location))!,
            ".research-cache");
        var cache = ImageCache.Open(source, channels, size, cfg.BadImages, cacheDir, progress);
        var store = OpenStore(cache, cfg.Cache);
        var skipped = Enumerable.Range(0, cache.Count).Where(i => !cache.Decoded[i]).Select(i => source.Where(source.Entries[i])).ToList();
        ImageDataset Split(string split, string name)
        {
            byte code = (byte)Array.IndexOf(ImageSource.Splits, split);
            var indices = Enumerable.Range(0, cache.Count).Where(i => cache.Splits[i] == code && cache.Decoded[i]).ToArray();
            return new ImageDataset(name, store, indices, indices.Select(i => (long)cache.Labels[i]).ToArray(), channels, size, size, source.ClassNames.Length,
                source.ClassNames);
        }
        var train = Split(ImageSource.Train, $"{cfg.Name}/{ImageSource.Train}");
        if (train.Count < 2) throw new InvalidDataException($"{source.Location}: {train.Count} readable training image(s); at least 2 are needed");
        var val = Split(ImageSource.Validation, $"{cfg.Name}/{ImageSource.Validation}");
        var test = Split(ImageSource.Test, $"{cfg.Name}/{ImageSource.Test}");
        DatasetPair pair;
        if (test.Count > 0) pair = new DatasetPair(train, test) { Validation = val.Count > 0 ? val : null };
        else if (val.Count > 0) pair = new DatasetPair(train, val);
        else
        {
            // No test images: hold some training images out as the test part, by the same seeded split the searches use.
            pair = DatasetSplit.HoldOut(new DatasetPair(train, train), cfg.Validation);
        }
        return pair with { Recipe = ImageRecipes.For(size), Fingerprint = Path.GetFileName(cache.Path), Skipped = skipped };
    }

    /// <summary>In memory when it fits comfortably, else streamed (<c>cache: memory | stream</c> decide it).</summary>
    private static ImageStore OpenStore(ImageCacheFile cache, string mode)
    {
        long bytes = (long)cache.Count * cache.ImageBytes;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        bool inMemory = mode switch
        {
            DataConfig.CacheMemory => true,
            DataConfig.CacheStream => false,
            _ => bytes <= available / 4,
        };
        if (!inMemory) return new FileImageStore(cache.Path, cache.PixelOffset, cache.Count, cache.ImageBytes);
        using var file = File.OpenHandle(cache.Path);
        if (bytes <= Array.MaxLength)
        {
            var pixels = new byte[bytes];
            ReadFully(file, cache.Path, pixels, cache.PixelOffset);
            return new ArrayImageStore(pixels, cache.Count, cache.ImageBytes);
        }
        // Larger than one array: whole images in 1 GiB arrays.
        var chunked = new ChunkedImageStore(cache.Count, cache.ImageBytes);
        long offset = cache.PixelOffset;
        foreach (var chunk in chunked.Chunks)
        {
            ReadFully(file, cache.Path, chunk, offset);
            offset += chunk.Length;
        }
        return chunked;
    }

    private static void ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, byte[] destination, long offset)
    {
        long done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(file, destination.AsSpan((int)done, (int)Math.Min(destination.Length - done, 1 << 30)), offset + done);
            if (read == 0) throw new InvalidDataException($"{path}: the cache file ends {destination.Length - done} bytes early");
            done += read;
        }
    }
}
