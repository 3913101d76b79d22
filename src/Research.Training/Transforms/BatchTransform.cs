using Research.Torch;

namespace Research.Training.Transforms;

/// <summary>Training-time augmentation settings.</summary>
public sealed record AugmentConfig
{
    /// <summary>Random crop after zero padding by this many pixels (0: off).</summary>
    public int CropPadding { get; init; }
    public bool HorizontalFlip { get; init; }
    /// <summary>Cutout probability per sample (0: off) and the square's side as a fraction of the image.</summary>
    public double CutoutProbability { get; init; }
    public double CutoutFraction { get; init; } = 0.5;

    public static AugmentConfig None => new();
}

/// <summary>
/// Turns a uint8 (N, C, H, W) batch into the model's input on the same device: scale to [0, 1],
/// augment (training only), resize to the model's resolution (bilinear), repeat a single
/// channel for 3-channel models, normalise per channel, cutout. Small images are padded and
/// cropped; natural images (<see cref="ImageRecipe.NaturalImage"/>) are randomly resized-cropped
/// to the resolution for training and resized and center-cropped for evaluation.
/// </summary>
public sealed class BatchTransform(ChannelStats stats, int modelChannels, int resolution, AugmentConfig augment, ImageRecipe recipe = ImageRecipe.SmallImage)
{
    public ImageRecipe Recipe => recipe;

    public Tensor Apply(Tensor images, bool train)
    {
        using var scope = torch.NewDisposeScope();
        var s = images.shape;
        if (s.Length != 4) throw new ArgumentException($"expected an (N, C, H, W) batch, got rank {s.Length}");
        int dataChannels = (int)s[1];
        if (dataChannels != stats.Mean.Length)
            throw new ArgumentException($"batch has {dataChannels} channels but the normalisation has {stats.Mean.Length}");
        if (modelChannels != dataChannels && dataChannels != 1)
            throw new ArgumentException($"cannot feed {dataChannels}-channel images to a {modelChannels}-channel model (only 1 → N repeats)");
        var x = images.to(ScalarType.Float32).div_(255.0);
        if (recipe == ImageRecipe.NaturalImage)
            x = train ? Augmentations.RandomResizedCrop(x, resolution) : Augmentations.ResizeCenterCrop(x, resolution, ImageRecipes.CenterCropFraction);
        else if (train && augment.CropPadding > 0) x = Augmentations.RandomCrop(x, augment.CropPadding);
        if (train && augment.HorizontalFlip) x = Augmentations.RandomHorizontalFlip(x);
        if (x.size(2) != resolution || x.size(3) != resolution)
            x = torch.nn.functional.interpolate(x, (resolution, resolution), InterpolationMode.Bilinear);
        var dev = x.device;
        var mean = torch.tensor(stats.Mean, [1, dataChannels, 1, 1], dev);
        var std = torch.tensor(stats.Std, [1, dataChannels, 1, 1], dev);
        x = (x - mean) / std;
        if (modelChannels != dataChannels) x = x.expand(s[0], modelChannels, resolution, resolution).contiguous();
        if (train && augment.CutoutProbability > 0) x = Augmentations.Cutout(x, augment.CutoutProbability, augment.CutoutFraction);
        return x.MoveToOuterDisposeScope();
    }
}
