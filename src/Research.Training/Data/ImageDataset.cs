namespace Research.Training.Data;

/// <summary>
/// Images held in memory as uint8, row-major (N, C, H, W), with int64 class labels. Readers
/// (Fashion-MNIST IDX, CIFAR binary, synthetic) produce these; loaders turn index lists into
/// batches. Immutable after construction.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(string name, byte[] images, long[] labels, int channels, int height, int width, int classes, string[]? classNames = null)
    {
        if (channels < 1 || height < 1 || width < 1) throw new ArgumentException($"{name}: image shape ({channels}, {height}, {width}) must be positive");
        if (images.LongLength != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{name}: {images.LongLength} image bytes do not hold {labels.Length} images of {channels}x{height}x{width}");
        if (classes < 1) throw new ArgumentException($"{name}: classes {classes} must be >= 1");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentException($"{name}: label {labels[i]} of image {i} is outside [0, {classes})");
        Name = name;
        Images = images;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        ClassNames = classNames;
    }

    public string Name { get; }
    public byte[] Images { get; }
    public long[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public string[]? ClassNames { get; }
    public int Count => Labels.Length;

    /// <summary>What this dataset feeds a network (square images assumed: the height stands for the size).</summary>
    public Models.Networks.InputShape Shape => new(Name, Classes, Channels, Height);
    public int ImageBytes => Channels * Height * Width;

    /// <summary>The images at the given indices, in that order (e.g. one side of a seeded split).</summary>
    public ImageDataset Select(IReadOnlyList<int> indices, string? name = null)
    {
        var images = new byte[(long)indices.Count * ImageBytes];
        var labels = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int idx = indices[i];
            if (idx < 0 || idx >= Count) throw new ArgumentOutOfRangeException(nameof(indices), idx, $"{Name} has {Count} images");
            Buffer.BlockCopy(Images, idx * ImageBytes, images, i * ImageBytes, ImageBytes);
            labels[i] = Labels[idx];
        }
        return new ImageDataset(name ?? Name, images, labels, Channels, Height, Width, Classes, ClassNames);
    }

    /// <summary>The first n images (or all, when n is null or larger), for quick runs (--subset).</summary>
    public ImageDataset Take(int? n)
    {
        if (n is null || n >= Count) return this;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "subset size must be >= 1");
        return new ImageDataset(Name, Images.AsSpan(0, n.Value * ImageBytes).ToArray(), Labels.AsSpan(0, n.Value).ToArray(), Channels, Height, Width, Classes, ClassNames);
    }
}

/// <summary>A dataset's training and test parts.</summary>
public sealed record DatasetPair(ImageDataset Train, ImageDataset Test);
