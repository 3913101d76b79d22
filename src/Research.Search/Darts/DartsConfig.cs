using System.Text.Json;
using Research.Training.Training;
using Research.Training.Transforms;

namespace Research.Search.Darts;

/// <summary>The bilevel search's settings; defaults are DARTS's (and PC-DARTS's where noted).</summary>
public sealed record DartsConfig
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    /// <summary>first (weights held fixed) or second (unrolled, finite-difference Hessian-vector product).</summary>
    public string Order { get; init; } = "first";
    /// <summary>PC-DARTS's K: 1/K of each edge's channels go through the ops (1: plain DARTS).</summary>
    public int PartialChannels { get; init; } = 1;
    /// <summary>At most this many skip connections in the derived normal cell (null: no cap).</summary>
    public int? SkipCap { get; init; } = 2;
    /// <summary>λ of the MACs-aware penalty λ·E[MACs in millions] on the validation loss (0: off).</summary>
    public double MacsLambda { get; init; }
    /// <summary>Epochs of weight-only training before the architecture starts to move (PC-DARTS warms up).</summary>
    public int ArchWarmupEpochs { get; init; }

    public double WeightLearningRate { get; init; } = 0.025;
    public double WeightLearningRateMin { get; init; } = 0.001;
    public double WeightMomentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    public double GradientClip { get; init; } = 5;
    public double ArchLearningRate { get; init; } = 3e-4;
    public double ArchBeta1 { get; init; } = 0.5;
    public double ArchBeta2 { get; init; } = 0.999;
    public double ArchWeightDecay { get; init; } = 1e-3;

    /// <summary>Fraction of the training images the weights train on; the rest train the architecture.</summary>
    public double TrainFraction { get; init; } = 0.5;
    /// <summary>Validation images scored after each epoch (eval mode), from the architecture half.</summary>
    public int EvalImages { get; init; } = 2000;
    public AugmentConfig Augment { get; init; } = new() { CropPadding = 2, HorizontalFlip = true };
    /// <summary>auto, contiguous or channels_last (Research.Training.Training.MemoryLayout).</summary>
    public string MemoryFormat { get; init; } = MemoryLayout.Contiguous;
    public int Seed { get; init; }

    /// <summary>
    /// The weight half of the bilevel recipe as a plain training run: what the random baseline
    /// trains its candidates with, so both searches see the same training.
    /// </summary>
    public TrainConfig WeightRecipe(int epochs) => new()
    {
        Epochs = epochs, BatchSize = BatchSize, LearningRate = WeightLearningRate, Momentum = WeightMomentum, Nesterov = false,
        WeightDecay = WeightDecay, LabelSmoothing = 0, WarmupEpochs = 0, ClipNorm = GradientClip, Augment = Augment, Seed = Seed,
        MemoryFormat = MemoryFormat,
    };

    public DartsConfig Validate()
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentException(what);
        }
        Check(Epochs >= 1, $"--epochs {Epochs}: must be >= 1");
        Check(BatchSize >= 2, $"--batch {BatchSize}: must be >= 2");
        Check(Order is "first" or "second", $"--order {Order}: expected first or second");
        Check(PartialChannels >= 1, $"--partial-channels {PartialChannels}: must be >= 1");
        Check(SkipCap is null or >= 0, $"--skip-cap {SkipCap}: must be >= 0");
        Check(MacsLambda >= 0 && double.IsFinite(MacsLambda), $"--macs-lambda {MacsLambda}: must be >= 0");
        Check(ArchWarmupEpochs >= 0 && ArchWarmupEpochs < Epochs, $"--arch-warmup {ArchWarmupEpochs}: must be in [0, epochs)");
        Check(WeightLearningRate > 0 && WeightLearningRateMin >= 0 && WeightLearningRateMin <= WeightLearningRate, "weight learning rates must satisfy 0 <= min <= lr, lr > 0");
        Check(ArchLearningRate > 0, $"--arch-lr {ArchLearningRate}: must be positive");
        Check(TrainFraction is > 0 and < 1, $"train fraction {TrainFraction}: must be in (0, 1)");
        Check(EvalImages >= 1, $"eval images {EvalImages}: must be >= 1");
        Check(GradientClip >= 0, $"gradient clip {GradientClip}: must be >= 0");
        Check(MemoryLayout.Names.Contains(MemoryFormat), $"--memory-format {MemoryFormat}: expected {string.Join(", ", MemoryLayout.Names)}");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this);
}
