using System.Globalization;
using Research.Core.Settings;
using Research.Training.Transforms;

namespace Research.Training.Data;

/// <summary>
/// Which dataset a run reads, how much of it, how much of its training part is held out for
/// model selection, and, for a researcher's own images (folder and CSV datasets), how they are
/// decoded, cached and normalised.
/// </summary>
public sealed record DataConfig : ISettingsRecord<DataConfig>
{
    /// <summary>One of <see cref="DatasetCatalog.Names"/>.</summary>
    public string Name { get; init; } = DatasetCatalog.FashionMnistName;
    /// <summary>Where the dataset's files are (null: the dataset's usual place); the folder's root or the CSV file for image datasets.</summary>
    public string? DataDir { get; init; }
    /// <summary>Keep only the first N training images (quick runs); the test part stays whole.</summary>
    public int? Subset { get; init; }
    /// <summary>Fraction of the training images held out to score candidates (grid, ablation) and, with holdout, family members.</summary>
    public double Validation { get; init; } = 0.1;
    /// <summary>Image datasets: the side the images are stored at (null: a small-image dataset's own size, else 256).</summary>
    public int? ImageSize { get; init; }
    /// <summary>Image datasets: 1 (grayscale) or 3 (RGB); null: grayscale when the first images are.</summary>
    public int? Channels { get; init; }
    /// <summary>Image datasets: where the decoded cache goes (null: .research-cache next to the data).</summary>
    public string? CacheDir { get; init; }
    /// <summary>auto (in memory when it fits comfortably), memory or stream.</summary>
    public string Cache { get; init; } = CacheAuto;
    /// <summary>error or skip: what an unreadable image file does.</summary>
    public string BadImages { get; init; } = BadImagePolicy.Error;
    /// <summary>Per-channel mean of [0, 1] pixels ("imagenet", or comma-separated numbers); null: computed from the training images.</summary>
    public string? Mean { get; init; }
    /// <summary>Per-channel standard deviation, as <see cref="Mean"/>.</summary>
    public string? Std { get; init; }

    public const string CacheAuto = "auto";
    public const string CacheMemory = "memory";
    public const string CacheStream = "stream";
    public static readonly string[] CacheModes = [CacheAuto, CacheMemory, CacheStream];
    public const string ImageNet = "imagenet";

    /// <summary>The dataset settings: `--dataset`, `--data-dir`, `--subset`, …, and the experiment file's <c>dataset:</c> keys.</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static SettingSet<DataConfig> Settings { get; } = new SettingSet<DataConfig>(new DataConfig(), "dataset")
        .Choice("name", "fashion-mnist (Debian's dataset-fashion-mnist), cifar10, cifar100 (binary files in data_dir), synthetic, or your images: folder (data_dir/train/<class>/…) or csv (data_dir is a path,label[,split] list)",
            DatasetCatalog.Names, r => r.Name, (r, v) => r with { Name = v }, option: "--dataset")
        .OptionalText("data_dir", "where the dataset's files are (the folder, or the CSV file)", "the dataset's usual place", r => r.DataDir, (r, v) => r with { DataDir = v },
            valueText: "a path")
        .OptionalInteger("subset", "use only the first N training images (quick runs)", "all", r => r.Subset, (r, v) => r with { Subset = v }, min: 2)
        .Number("validation", "fraction of the training images held out to score candidates", r => r.Validation, (r, v) => r with { Validation = v },
            new SettingRange(0, 1, MinExclusive: true, MaxExclusive: true))
        .OptionalInteger("image_size", "image datasets: the side images are stored at (shorter side resized, central square kept); natural images train at 7/8 of it",
            "automatic: a small-image dataset's own size, else 256", r => r.ImageSize, (r, v) => r with { ImageSize = v }, min: 8, max: 4096)
        .OptionalInteger("channels", "image datasets: 1 (grayscale) or 3 (RGB)", "grayscale when the first images are", r => r.Channels,
            (r, v) => r with { Channels = v }, min: 1, max: 3)
        .OptionalText("cache_dir", "image datasets: where the decoded cache goes", ".research-cache next to the data", r => r.CacheDir, (r, v) => r with { CacheDir = v },
            valueText: "a directory")
        .Choice("cache", "image datasets: auto (in memory when it fits comfortably), memory, or stream (read from the cache file, bounded memory)", CacheModes,
            r => r.Cache, (r, v) => r with { Cache = v })
        .Choice("bad_images", "image datasets: error (stop, naming the file) or skip (leave it out, listed in the run)", BadImagePolicy.All, r => r.BadImages,
            (r, v) => r with { BadImages = v })
        .OptionalText("mean", "per-channel mean of [0, 1] pixels: imagenet or numbers, e.g. 0.5,0.5,0.5", "computed from the training images", r => r.Mean,
            (r, v) => r with { Mean = v }, valueText: "imagenet or comma-separated numbers")
        .OptionalText("std", "per-channel standard deviation: imagenet or positive numbers", "computed from the training images", r => r.Std,
            (r, v) => r with { Std = v }, valueText: "imagenet or comma-separated positive numbers")
        .Rule(r => r.Channels is null or 1 or 3 ? null : new SettingProblem("channels", r.Channels.Value.ToString(CultureInfo.InvariantCulture), "1 or 3"))
        .Rule(r => (r.Mean is null) == (r.Std is null) ? null
            : new SettingProblem(r.Mean is null ? "mean" : "std", "none", "given with the other") { Explanation = "mean and std go together" })
        .Rule(r => r.Mean is null || ParseStats(r.Mean, positive: false, ImageNetMean) is not null ? null
            : new SettingProblem("mean", r.Mean, "imagenet or comma-separated numbers"))
        .Rule(r => r.Std is null || ParseStats(r.Std, positive: true, ImageNetStd) is not null ? null
            : new SettingProblem("std", r.Std, "imagenet or comma-separated positive numbers"));


    public DataConfig Validate() => Settings.Validate(this);

    /// <summary>The dataset, with <see cref="Subset"/> applied to its training part; <paramref name="progress"/> hears about image decoding.</summary>
    public DatasetPair Load(int seed, TextWriter? progress = null)
    {
        Validate();
        var pair = DatasetCatalog.IsImageFiles(Name) ? ImageFileDataset.Load(this, progress) : DatasetCatalog.Load(Name, DataDir, null, seed);
        if (Subset is { } n) pair = pair with { Train = pair.Train.Take(n) };
        if (Mean is { } m && Std is { } s)
        {
            var stats = new ChannelStats(ParseStats(m, false, ImageNetMean)!, ParseStats(s, true, ImageNetStd)!);
            if (stats.Mean.Length != pair.Train.Channels || stats.Std.Length != pair.Train.Channels)
                throw new ArgumentException($"mean/std give {stats.Mean.Length} and {stats.Std.Length} values; {Name} has {pair.Train.Channels}-channel images");
            pair = pair with { Normalization = stats };
        }
        return pair;
    }

    /// <summary>The training part cut into (train, held out) by <see cref="Validation"/> (<see cref="DatasetSplit.HoldOut"/>).</summary>
    public DatasetPair HoldOut(DatasetPair data) => DatasetSplit.HoldOut(data, Validation);

    private static float[]? ParseStats(string text, bool positive, float[] imagenet)
    {
        if (text == ImageNet) return imagenet;
        var values = new List<float>();
        foreach (var part in text.Split(','))
            if (float.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) && (!positive || v > 0)) values.Add(v);
            else return null;
        return values.ToArray();
    }
}
