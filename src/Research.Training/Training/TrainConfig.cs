using System.Text.Json;
using System.Text.Json.Serialization;
using Research.Training.Transforms;

namespace Research.Training.Training;

/// <summary>
/// Everything that decides a training run's result. Two runs with equal configs on the same
/// CPU produce the same numbers; a resumed run must have the same config as the one it continues.
/// </summary>
public sealed record TrainConfig
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    /// <summary>sgd, rmsprop or adamw.</summary>
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    /// <summary>Applied to conv and linear weights only (BN and biases are not decayed).</summary>
    public double WeightDecay { get; init; } = 5e-5;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Global gradient-norm clip (0: off).</summary>
    public double ClipNorm { get; init; }
    /// <summary>Linear warmup, then cosine annealing to zero, stepped per iteration.</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>Weight EMA decay (null: off); evaluation then uses the averaged weights.</summary>
    public double? EmaDecay { get; init; }
    public AugmentConfig Augment { get; init; } = new() { CropPadding = 2, HorizontalFlip = true };
    /// <summary>bf16 autocast (CUDA only).</summary>
    public bool Bf16 { get; init; } = true;
    /// <summary>auto, contiguous or channels_last (see <see cref="MemoryLayout"/>).</summary>
    public string MemoryFormat { get; init; } = MemoryLayout.Contiguous;
    public int Seed { get; init; }

    public void Validate()
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentException(what);
        }
        Check(Epochs >= 1, $"--epochs {Epochs}: must be >= 1");
        Check(BatchSize >= 1, $"--batch {BatchSize}: must be >= 1");
        Check(Optimizer is "sgd" or "rmsprop" or "adamw", $"--optimizer {Optimizer}: expected sgd, rmsprop or adamw");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), $"--lr {LearningRate}: must be positive");
        Check(Momentum is >= 0 and < 1, $"momentum {Momentum}: must be in [0, 1)");
        Check(WeightDecay >= 0, $"weight decay {WeightDecay}: must be >= 0");
        Check(LabelSmoothing is >= 0 and < 1, $"--label-smoothing {LabelSmoothing}: must be in [0, 1)");
        Check(ClipNorm >= 0, $"--clip {ClipNorm}: must be >= 0");
        Check(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, $"--warmup-epochs {WarmupEpochs}: must be in [0, epochs]");
        Check(MemoryLayout.Names.Contains(MemoryFormat), $"--memory-format {MemoryFormat}: expected {string.Join(", ", MemoryLayout.Names)}");
        Check(EmaDecay is null or (> 0 and < 1), $"--ema {EmaDecay}: must be in (0, 1)");
        Check(Augment.CropPadding >= 0, "crop padding must be >= 0");
        Check(Augment.CutoutProbability is >= 0 and <= 1, "cutout probability must be in [0, 1]");
    }

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
