using System.Text.Json;
using System.Text.Json.Serialization;
using Research.Core.Settings;
using Research.Core.Text;
using Research.Training.Transforms;

namespace Research.Training;

/// <summary>
/// Everything that decides a training run's result. Two runs with equal configs on the same
/// CPU produce the same numbers; a resumed run must have the same config as the one it continues.
/// </summary>
public sealed record TrainConfig : ISettingsRecord<TrainConfig>
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
    /// <summary>CUDA: capture the training step as a CUDA graph once and replay it (SGD, no EMA, no clip; see <see cref="CudaGraphStep"/>).</summary>
    public bool CudaGraphs { get; init; }
    /// <summary>Batch norm over the whole global batch when training on several ranks (PyTorch's SyncBatchNorm); else each rank's own.</summary>
    public bool SyncBatchNorm { get; init; }
    /// <summary>Weights to start from (.safetensors or PyTorch .pth, any naming the model's family has); null: random initialisation.</summary>
    public string? InitFrom { get; init; }

    /// <summary>The optimizers <see cref="Trainer"/> builds.</summary>
    public static readonly string[] Optimizers = ["sgd", "rmsprop", "adamw"];

    /// <summary>What only a single training run can use (not a grid's or an ablation's candidates): a weights file, data-parallel batch norm.</summary>
    public static readonly string[] SingleRunKeys = ["init_from", "sync_bn"];

    /// <summary>Every setting of the recipe, as `research train` options and the experiment file's recipe keys.</summary>
    public static SettingSet<TrainConfig> Settings { get; } = new SettingSet<TrainConfig>(new TrainConfig(), "training recipe")
        .Integer("epochs", "epochs", r => r.Epochs, (r, v) => r with { Epochs = v }, min: 1)
        .Integer("batch", "batch size", r => r.BatchSize, (r, v) => r with { BatchSize = v }, min: 1)
        .Number("lr", "peak learning rate (after warmup)", r => r.LearningRate, (r, v) => r with { LearningRate = v }, new SettingRange(0, MinExclusive: true))
        .Choice("optimizer", "sgd (Nesterov momentum), rmsprop (EfficientNet's) or adamw", Optimizers, r => r.Optimizer, (r, v) => r with { Optimizer = v })
        .Number("momentum", "momentum of sgd and rmsprop", r => r.Momentum, (r, v) => r with { Momentum = v }, new SettingRange(0, 1, MaxExclusive: true))
        .Flag("nesterov", "Nesterov momentum for sgd", r => r.Nesterov, (r, v) => r with { Nesterov = v })
        .Number("weight_decay", "on conv/linear weights (not BN or biases)", r => r.WeightDecay, (r, v) => r with { WeightDecay = v }, new SettingRange(0))
        .Number("label_smoothing", "label smoothing", r => r.LabelSmoothing, (r, v) => r with { LabelSmoothing = v }, new SettingRange(0, 1, MaxExclusive: true))
        .Number("warmup_epochs", "linear warmup before the cosine decay (at most the epochs)", r => r.WarmupEpochs, (r, v) => r with { WarmupEpochs = v },
            new SettingRange(0))
        .Number("clip", "global gradient-norm clip (0: off)", r => r.ClipNorm, (r, v) => r with { ClipNorm = v }, new SettingRange(0))
        .OptionalNumber("ema", "weight EMA decay, e.g. 0.999; evaluation uses the averaged weights", "off", r => r.EmaDecay, (r, v) => r with { EmaDecay = v },
            new SettingRange(0, 1, MinExclusive: true, MaxExclusive: true))
        .Integer("crop_padding", "random-crop padding in pixels (0: off)", r => r.Augment.CropPadding,
            (r, v) => r with { Augment = r.Augment with { CropPadding = v } }, min: 0)
        .Flag("flip", "random horizontal flips", r => r.Augment.HorizontalFlip, (r, v) => r with { Augment = r.Augment with { HorizontalFlip = v } })
        .Number("cutout", "cutout probability per image (0: off)", r => r.Augment.CutoutProbability,
            (r, v) => r with { Augment = r.Augment with { CutoutProbability = v } }, new SettingRange(0, 1))
        .Flag("bf16", "bf16 autocast on CUDA", r => r.Bf16, (r, v) => r with { Bf16 = v })
        .Flag("cuda_graphs", "CUDA: record the training step once as a CUDA graph and replay it (sgd, no ema, no clip)", r => r.CudaGraphs,
            (r, v) => r with { CudaGraphs = v })
        .Flag("sync_bn", "data-parallel runs: batch-norm statistics over every rank's batch (default: each rank's own)", r => r.SyncBatchNorm,
            (r, v) => r with { SyncBatchNorm = v })
        .Choice("memory_format", MemoryLayout.Description, MemoryLayout.Names, r => r.MemoryFormat, (r, v) => r with { MemoryFormat = v })
        .OptionalText("init_from", "start from these weights: .safetensors or PyTorch .pth, in our, torchvision's, timm's or the official code's names; a classifier of another class count starts afresh",
            "random initialisation", r => r.InitFrom, (r, v) => r with { InitFrom = v }, valueText: "a weights file")
        .Rule(r => r.WarmupEpochs <= r.Epochs || r.Epochs < 1 ? null
            : new SettingProblem("warmup_epochs", Numbers.RoundTrip(r.WarmupEpochs), $"in [0, epochs = {r.Epochs}]"));

    /// <summary>This config, or an <see cref="ArgumentException"/> naming every setting that is not allowed.</summary>
    public TrainConfig Validate() => Settings.Validate(this);

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
