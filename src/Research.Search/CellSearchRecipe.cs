using Research.Core.Settings;
using Research.Training.Transforms;

namespace Research.Search;

/// <summary>
/// How the cell searches train weights, so that the DARTS search and its random baseline see the
/// same training: the batch, SGD with a cosine schedule (DARTS's defaults), gradient clipping, the
/// seeded split of the training images into a weight half and a held-out half, augmentation and
/// memory layout.
/// </summary>
public sealed record CellSearchRecipe : ISettingsRecord<CellSearchRecipe>
{
    public int BatchSize { get; init; } = 64;
    public double WeightLearningRate { get; init; } = 0.025;
    /// <summary>Where the weights' cosine schedule ends (capped at the learning rate).</summary>
    public double WeightLearningRateMin { get; init; } = 0.001;
    public double WeightMomentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    public double GradientClip { get; init; } = 5;
    /// <summary>Fraction of the training images the weights train on; the rest train the architecture (DARTS) or score the candidates (random).</summary>
    public double TrainFraction { get; init; } = 0.5;
    public AugmentConfig Augment { get; init; } = new() { CropPadding = 2, HorizontalFlip = true };
    /// <summary>contiguous or channels_last (<see cref="MemoryLayout"/>).</summary>
    public string MemoryFormat { get; init; } = MemoryLayout.Contiguous;
    public int Seed { get; init; }

    /// <summary>The learning rate the cosine schedule ends at: <see cref="WeightLearningRateMin"/>, never above the rate itself.</summary>
    public double EffectiveLearningRateMin => Math.Min(WeightLearningRateMin, WeightLearningRate);

    /// <summary>The weight half of the recipe as a plain training run of <paramref name="epochs"/> epochs: what the random baseline trains each candidate with.</summary>
    public TrainConfig ToTrainConfig(int epochs) => new()
    {
        Epochs = epochs, BatchSize = BatchSize, LearningRate = WeightLearningRate, Momentum = WeightMomentum, Nesterov = false,
        WeightDecay = WeightDecay, LabelSmoothing = 0, WarmupEpochs = 0, ClipNorm = GradientClip, Augment = Augment, Seed = Seed,
        MemoryFormat = MemoryFormat,
    };

    public static SettingSet<CellSearchRecipe> Settings { get; } = new SettingSet<CellSearchRecipe>(new CellSearchRecipe(), "cell-search training")
        .Integer("batch", "batch size (each step: one training and one validation batch)", r => r.BatchSize, (r, v) => r with { BatchSize = v }, min: 2)
        .Number("lr", "weights' SGD learning rate (cosine to lr_min)", r => r.WeightLearningRate, (r, v) => r with { WeightLearningRate = v },
            new SettingRange(0, MinExclusive: true))
        .Number("lr_min", "where the weights' cosine schedule ends (at most lr)", r => r.WeightLearningRateMin, (r, v) => r with { WeightLearningRateMin = v },
            new SettingRange(0))
        .Number("momentum", "weights' SGD momentum", r => r.WeightMomentum, (r, v) => r with { WeightMomentum = v }, new SettingRange(0, 1, MaxExclusive: true))
        .Number("weight_decay", "weights' weight decay", r => r.WeightDecay, (r, v) => r with { WeightDecay = v }, new SettingRange(0))
        .Number("grad_clip", "weights' gradient-norm clip (0: off)", r => r.GradientClip, (r, v) => r with { GradientClip = v }, new SettingRange(0))
        .Number("train_portion", "fraction of the training images the weights train on; the rest train the architecture", r => r.TrainFraction,
            (r, v) => r with { TrainFraction = v }, new SettingRange(0, 1, MinExclusive: true, MaxExclusive: true))
        .Integer("crop_padding", "random-crop padding in pixels (0: off)", r => r.Augment.CropPadding,
            (r, v) => r with { Augment = r.Augment with { CropPadding = v } }, min: 0)
        .Flag("flip", "random horizontal flips", r => r.Augment.HorizontalFlip, (r, v) => r with { Augment = r.Augment with { HorizontalFlip = v } })
        .Choice("memory_format", MemoryLayout.FixedDescription, MemoryLayout.Fixed, r => r.MemoryFormat, (r, v) => r with { MemoryFormat = v });

    public CellSearchRecipe Validate() => Settings.Validate(this);
}
