using System.Text.Json;
using Research.Core.Settings;
using Research.Models.LatencyTables;

namespace Research.Search.Darts;

/// <summary>The bilevel search's settings; defaults are DARTS's (and PC-DARTS's where noted).</summary>
public sealed record DartsConfig : ISettingsRecord<DartsConfig>
{
    public int Epochs { get; init; } = 10;
    /// <summary>first (weights held fixed) or second (unrolled, finite-difference Hessian-vector product).</summary>
    public string Order { get; init; } = "first";
    /// <summary>PC-DARTS's K: 1/K of each edge's channels go through the ops (1: plain DARTS).</summary>
    public int PartialChannels { get; init; } = 1;
    /// <summary>At most this many skip connections in the derived normal cell (-1: no cap).</summary>
    public int SkipCap { get; init; } = 2;
    /// <summary>λ of the MACs-aware penalty λ·E[MACs in millions] on the validation loss (0: off).</summary>
    public double MacsLambda { get; init; }
    /// <summary>The latency table the latency penalty predicts with.</summary>
    public LatencyTableConfig Latency { get; init; } = new();
    /// <summary>λ of the latency penalty λ·E[latency in ms] on the validation loss (0: off; needs a latency table).</summary>
    public double LatencyLambda { get; init; }
    /// <summary>Epochs of weight-only training before the architecture starts to move (PC-DARTS warms up).</summary>
    public int ArchWarmupEpochs { get; init; }

    public double ArchLearningRate { get; init; } = 3e-4;
    public double ArchBeta1 { get; init; } = 0.5;
    public double ArchBeta2 { get; init; } = 0.999;
    public double ArchWeightDecay { get; init; } = 1e-3;

    /// <summary>Validation images scored after each epoch (eval mode), from the architecture half.</summary>
    public int EvalImages { get; init; } = 2000;
    /// <summary>How the weights train (shared with the random baseline): batch, SGD, the split, augmentation, layout, seed.</summary>
    public CellSearchRecipe Recipe { get; init; } = new();

    /// <summary>This search drawing from <paramref name="seed"/> (the run's seed, which is not one of the search's settings).</summary>
    public DartsConfig Seeded(int seed) => this with { Recipe = Recipe with { Seed = seed } };

    /// <summary>The cap on skip connections, null for none.</summary>
    public int? SkipCapOrNull => SkipCap >= 0 ? SkipCap : null;

    public static readonly string[] Orders = ["first", "second"];

    /// <summary>Every setting of the search: `research search darts` options and the experiment file's darts keys (the recipe's in their places).</summary>
    public static SettingSet<DartsConfig> Settings { get; } = new SettingSet<DartsConfig>(new DartsConfig(), "DARTS search")
        .Integer("epochs", "search epochs", r => r.Epochs, (r, v) => r with { Epochs = v }, min: 1)
        .Include(CellSearchRecipe.Settings, r => r.Recipe, (r, v) => r with { Recipe = v }, "batch")
        .Choice("order", "first (weights fixed) or second (unrolled step, finite-difference Hessian)", Orders, r => r.Order, (r, v) => r with { Order = v })
        .Integer("partial_channels", "PC-DARTS's K: 1/K of the channels go through the ops (1: off)", r => r.PartialChannels,
            (r, v) => r with { PartialChannels = v }, min: 1)
        .Integer("skip_cap", "at most N skip connections in the normal cell (-1: no cap)", r => r.SkipCap, (r, v) => r with { SkipCap = v }, min: -1)
        .Number("macs_lambda", "λ of the penalty λ·E[MACs in millions] (hardware-aware search; 0: off)", r => r.MacsLambda, (r, v) => r with { MacsLambda = v },
            new SettingRange(0))
        .Include(LatencyTableConfig.Settings, r => r.Latency, (r, v) => r with { Latency = v })
        .Number("latency_lambda", "λ of the penalty λ·E[latency in ms] from latency_table (latency-aware search; 0: off)", r => r.LatencyLambda,
            (r, v) => r with { LatencyLambda = v }, new SettingRange(0))
        .Integer("arch_warmup", "epochs of weight-only training before the architecture moves", r => r.ArchWarmupEpochs,
            (r, v) => r with { ArchWarmupEpochs = v }, min: 0)
        .Number("arch_lr", "Adam learning rate of the architecture", r => r.ArchLearningRate, (r, v) => r with { ArchLearningRate = v },
            new SettingRange(0, MinExclusive: true))
        .Number("arch_beta1", "Adam β1 of the architecture", r => r.ArchBeta1, (r, v) => r with { ArchBeta1 = v }, new SettingRange(0, 1, MaxExclusive: true))
        .Number("arch_beta2", "Adam β2 of the architecture", r => r.ArchBeta2, (r, v) => r with { ArchBeta2 = v }, new SettingRange(0, 1, MaxExclusive: true))
        .Number("arch_weight_decay", "weight decay of the architecture", r => r.ArchWeightDecay, (r, v) => r with { ArchWeightDecay = v }, new SettingRange(0))
        .Include(CellSearchRecipe.Settings, r => r.Recipe, (r, v) => r with { Recipe = v }, "lr", "lr_min", "momentum", "weight_decay", "grad_clip", "train_portion")
        .Integer("eval_images", "held-out images scored after each epoch", r => r.EvalImages, (r, v) => r with { EvalImages = v }, min: 1)
        .Include(CellSearchRecipe.Settings, r => r.Recipe, (r, v) => r with { Recipe = v }, "crop_padding", "flip", "memory_format")
        .Rule(r => r.LatencyLambda == 0 || r.Latency.Table is not null ? null
            : new SettingProblem("latency_lambda", Numbers.RoundTrip(r.LatencyLambda), "0 without latency_table")
            {
                Explanation = "the latency penalty needs a latency table to predict with (latency_table)",
            })
        .Rule(r => r.ArchWarmupEpochs < r.Epochs || r.Epochs < 1 ? null
            : new SettingProblem("arch_warmup", Numbers.Integer(r.ArchWarmupEpochs), $"below epochs ({r.Epochs})"));

    /// <summary>This config, or an <see cref="ArgumentException"/> naming every setting that is not allowed.</summary>
    public DartsConfig Validate() => Settings.Validate(this);

    public string ToJson() => JsonSerializer.Serialize(this);
}
