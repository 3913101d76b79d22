namespace Research.Training.Data;

/// <summary>
/// uint8 images (C, H, W) with int64 class labels, from an <see cref="ImageStore"/> (an array for
/// the built-in readers, a cache file for folder and CSV datasets), possibly a view of some of the
/// store's images in a chosen order (a split, a subset). Loaders copy images out one at a time.
/// Immutable after construction.
/// </summary>
public sealed class ImageDataset
{
    private readonly ImageStore _store;
    private readonly int[]? _indices;

    public ImageDataset(string name, byte[] images, long[] labels, int channels, int height, int width, int classes, string[]? classNames = null)
        : this(name, Store(name, images, labels.Length, channels, height, width), null, labels, channels, height, width, classes, classNames) { }

    /// <summary>A dataset over a store; <paramref name="indices"/> (null: all, in order) picks and orders the store's images.</summary>
    public ImageDataset(string name, ImageStore store, int[]? indices, long[] labels, int channels, int height, int width, int classes, string[]? classNames = null)
    {
        if (channels < 1 || height < 1 || width < 1) throw new ArgumentException($"{name}: image shape ({channels}, {height}, {width}) must be positive");
        if (store.ImageBytes != channels * height * width)
            throw new ArgumentException($"{name}: the store holds images of {store.ImageBytes} bytes, not {channels}x{height}x{width}");
        int count = indices?.Length ?? store.Count;
        if (labels.Length != count) throw new ArgumentException($"{name}: {labels.Length} labels for {count} images");
        if (indices is not null)
            foreach (var i in indices)
                if (i < 0 || i >= store.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"{name}: the store has {store.Count} images");
        if (classes < 1) throw new ArgumentException($"{name}: classes {classes} must be >= 1");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentException($"{name}: label {labels[i]} of image {i} is outside [0, {classes})");
        Name = name;
        _store = store;
        _indices = indices;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        ClassNames = classNames;
    }

    private static ArrayImageStore Store(string name, byte[] images, int count, int channels, int height, int width)
    {
        if (images.LongLength != (long)count * channels * height * width)
            throw new ArgumentException($"{name}: {images.LongLength} image bytes do not hold {count} images of {channels}x{height}x{width}");
        return new ArrayImageStore(images, count, channels * height * width);
    }

    public string Name { get; }
    public long[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public string[]? ClassNames { get; }
    public int Count => Labels.Length;
    public int ImageBytes => Channels * Height * Width;

    /// <summary>Streamed from a file rather than held in memory.</summary>
    public bool Streamed => _store is FileImageStore;

    /// <summary>
    /// Every image in one array (N, C, H, W): the store's own array when this is a whole in-memory
    /// dataset; otherwise a copy, refused for a streamed dataset (it need not fit in memory).
    /// </summary>
    public byte[] Images
    {
        get
        {
            if (_store is ArrayImageStore a && _indices is null) return a.Pixels;
            if (Streamed) throw new InvalidOperationException($"{Name} is streamed from {((FileImageStore)_store).Path}; read images one at a time (CopyImage)");
            if ((long)Count * ImageBytes > Array.MaxLength)
                throw new InvalidOperationException($"{Name}: {(long)Count * ImageBytes} bytes of images are more than one array holds; read images one at a time (CopyImage)");
            var all = new byte[(long)Count * ImageBytes];
            for (int i = 0; i < Count; i++) CopyImage(i, all.AsSpan(i * ImageBytes, ImageBytes));
            return all;
        }
    }

    /// <summary>Copies image <paramref name="index"/> (C, H, W) into <paramref name="destination"/>.</summary>
    public void CopyImage(int index, Span<byte> destination) => _store.Read(_indices is null ? index : _indices[index], destination);

    /// <summary>What this dataset feeds a network (square images assumed: the height stands for the size).</summary>
    public Models.Networks.InputShape Shape => new(Name, Classes, Channels, Height);

    /// <summary>The images at the given indices, in that order (e.g. one side of a seeded split): a view, the pixels are not copied.</summary>
    public ImageDataset Select(IReadOnlyList<int> indices, string? name = null)
    {
        var picked = new int[indices.Count];
        var labels = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int idx = indices[i];
            if (idx < 0 || idx >= Count) throw new ArgumentOutOfRangeException(nameof(indices), idx, $"{Name} has {Count} images");
            picked[i] = _indices is null ? idx : _indices[idx];
            labels[i] = Labels[idx];
        }
        return new ImageDataset(name ?? Name, _store, picked, labels, Channels, Height, Width, Classes, ClassNames);
    }

    /// <summary>The first n images (or all, when n is null or larger), for quick runs (--subset).</summary>
    public ImageDataset Take(int? n)
    {
        if (n is null || n >= Count) return this;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "subset size must be >= 1");
        return Select(Enumerable.Range(0, n.Value).ToArray());
    }
}

/// <summary>
/// A dataset's training and test parts, and what else its source says: a held-out validation part
/// of its own (folder and CSV datasets with val/ and test/), the image recipe its stored size asks
/// for, normalisation statistics when they are given rather than computed, a fingerprint of its
/// files (in a run's identity, so a changed dataset is a new run), and image files left out.
/// </summary>
public sealed record DatasetPair(ImageDataset Train, ImageDataset Test)
{
    public ImageDataset? Validation { get; init; }
    public Transforms.ImageRecipe Recipe { get; init; } = Transforms.ImageRecipe.SmallImage;
    public Transforms.ChannelStats? Normalization { get; init; }
    public string? Fingerprint { get; init; }
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>What the data feeds a network: its classes, channels and the recipe's training resolution.</summary>
    public Models.Networks.InputShape Shape =>
        new(Train.Name, Train.Classes, Train.Channels, Transforms.ImageRecipes.Resolution(Recipe, Train.Height));

    /// <summary>The statistics inputs are normalised with: given ones, else computed from the training part.</summary>
    public Transforms.ChannelStats Stats() => Normalization ?? Transforms.ChannelStats.Of(Train);
}
