using System.Text.Json.Serialization;
using Research.Training.Training;
using Research.Training.Transforms;

namespace Research.Experiments.Config;

/// <summary>
/// A validated experiment file with every default filled in (the "resolved config"). Paths are
/// kept as written; they resolve against <see cref="BaseDirectory"/>, the experiment file's folder.
/// Serialised (snake_case) it is the canonical JSON whose hash names the run directory.
/// See experiments/README.md for the schema.
/// </summary>
public sealed record ExperimentConfig
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public int Seed { get; init; }
    /// <summary>auto, cpu, cuda or cuda:N (resolved when the run starts).</summary>
    public string Device { get; init; } = "auto";
    public DatasetConfig? Dataset { get; init; }
    public StagesConfig Stages { get; init; } = new();

    /// <summary>The experiment file (absolute).</summary>
    [JsonIgnore] public string SourcePath { get; init; } = "";
    /// <summary>Relative paths in the file resolve against this folder.</summary>
    [JsonIgnore] public string BaseDirectory { get; init; } = "";
    /// <summary>SHA-256 of every file the config reads (spec, table, space, earlier runs' outputs), by path as written.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, string> Inputs { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The canonical JSON of the resolved config and its inputs' hashes.</summary>
    [JsonIgnore] public string CanonicalJson => Config.CanonicalJson.Of(this);

    /// <summary>First 8 hex digits of the SHA-256 of <see cref="CanonicalJson"/>.</summary>
    [JsonIgnore] public string Hash => Config.CanonicalJson.Hash(this);

    /// <summary>runs/&lt;name&gt;-&lt;hash&gt;: the run directory's name.</summary>
    [JsonIgnore] public string RunName => $"{Name}-{Hash}";

    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}

public sealed record DatasetConfig
{
    /// <summary>fashion-mnist, cifar10, cifar100 or synthetic.</summary>
    public required string Name { get; init; }
    public string? DataDir { get; init; }
    /// <summary>Keep only the first N training images (every stage; a stage's own subset overrides it).</summary>
    public int? Subset { get; init; }
    /// <summary>Fraction of the training images held out to score candidates (grid, ablation, darts) and, with train.holdout, members.</summary>
    public double Validation { get; init; } = 0.1;
}

public sealed record StagesConfig
{
    public DartsConfig? Darts { get; init; }
    public GridConfig? Grid { get; init; }
    public AblationConfig? Ablation { get; init; }
    public ScaleConfig? Scale { get; init; }
    public TrainStageConfig? Train { get; init; }
    public ReportConfig? Report { get; init; }
}

/// <summary>
/// Which network: a registered model or a spec file (<see cref="Model"/>), or an earlier stage's
/// output (<see cref="From"/>: darts → darts/genotype.json, grid → grid/base.yaml), with overrides.
/// </summary>
public sealed record ModelRef
{
    public string? Model { get; init; }
    public string? From { get; init; }
    public double? WidthMult { get; init; }
    public bool? SmallInput { get; init; }
    public int? Resolution { get; init; }
    public int? Classes { get; init; }
    public int? InChannels { get; init; }

    public override string ToString() => Model ?? $"from {From}";
}

/// <summary>The training recipe, by the experiment file's keys; <see cref="ToTrainConfig"/> maps it onto the trainer's.</summary>
public sealed record Recipe
{
    public int Epochs { get; init; } = 10;
    public int Batch { get; init; } = 128;
    public double Lr { get; init; } = 0.1;
    public string Optimizer { get; init; } = "sgd";
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 5e-5;
    public double LabelSmoothing { get; init; } = 0.1;
    public double WarmupEpochs { get; init; } = 1;
    public double Clip { get; init; }
    public double? Ema { get; init; }
    public int CropPadding { get; init; } = 2;
    public bool Flip { get; init; } = true;
    public double Cutout { get; init; }
    public bool Bf16 { get; init; } = true;
    public string MemoryFormat { get; init; } = MemoryLayout.Contiguous;

    public TrainConfig ToTrainConfig(int seed) => new()
    {
        Epochs = Epochs, BatchSize = Batch, Optimizer = Optimizer, LearningRate = Lr, Momentum = Momentum, Nesterov = Nesterov,
        WeightDecay = WeightDecay, LabelSmoothing = LabelSmoothing, WarmupEpochs = WarmupEpochs, ClipNorm = Clip, EmaDecay = Ema, Bf16 = Bf16, MemoryFormat = MemoryFormat,
        Seed = seed, Augment = new AugmentConfig { CropPadding = CropPadding, HorizontalFlip = Flip, CutoutProbability = Cutout },
    };
}

/// <summary>(α, β, γ) given, or <c>from: grid</c> (grid/best.json).</summary>
public sealed record CoefficientsRef
{
    public string? From { get; init; }
    public double? Alpha { get; init; }
    public double? Beta { get; init; }
    public double? Gamma { get; init; }
}

/// <summary>
/// The DARTS cell search. Validated and carried only: the search itself is wired in by the DARTS
/// work (see <see cref="Stages.DartsStage.RunSearch"/>). It must leave darts/genotype.json.
/// </summary>
public sealed record DartsConfig
{
    public string? FromRun { get; init; }
    /// <summary>A search-space file (.yaml/.yml/.json, relative to the experiment file) or a built-in space's name.</summary>
    public string? Space { get; init; }
    public int Epochs { get; init; } = 50;
    /// <summary>first or second (the architect's gradient approximation).</summary>
    public string Order { get; init; } = "first";
    /// <summary>PC-DARTS' K: 1/K of the channels go through the mixed op (1: off).</summary>
    public int PartialChannels { get; init; } = 1;
    public int Batch { get; init; } = 64;
    public int? Subset { get; init; }
    /// <summary>At most this many skip connections in the derived normal cell (-1: no cap).</summary>
    public int SkipCap { get; init; } = 2;
    /// <summary>λ of the MACs-aware penalty λ·E[MACs in millions] (0: off).</summary>
    public double MacsLambda { get; init; }
    /// <summary>Epochs of weight-only training before the architecture moves.</summary>
    public int ArchWarmup { get; init; }
    public double ArchLr { get; init; } = 3e-4;
    public double Lr { get; init; } = 0.025;
}

public sealed record GridConfig
{
    public string? FromRun { get; init; }
    public ModelRef? Base { get; init; }
    public double Step { get; init; } = 0.05;
    public double Tolerance { get; init; } = 0.05;
    public double Target { get; init; } = 2.0;
    public int[] Seeds { get; init; } = [1];
    /// <summary>accuracy or accuracy-macs.</summary>
    public string Objective { get; init; } = "accuracy";
    public double MacsWeight { get; init; } = -0.07;
    public int? MaxCandidates { get; init; }
    public bool Refine { get; init; }
    public int? Subset { get; init; }
    public Recipe Recipe { get; init; } = new() { Epochs = 1 };
}

public sealed record AblationConfig
{
    public string? FromRun { get; init; }
    public ModelRef? Base { get; init; }
    public double[] Targets { get; init; } = [2, 4];
    /// <summary>The compound member's coefficients: given, from grid, or EfficientNet's 1.2, 1.1, 1.15 when absent.</summary>
    public CoefficientsRef? Coefficients { get; init; }
    public int[] Seeds { get; init; } = [1];
    public int? Subset { get; init; }
    public Recipe Recipe { get; init; } = new() { Epochs = 1 };
}

public sealed record ScaleConfig
{
    public string? FromRun { get; init; }
    /// <summary>Default: <c>from: grid</c> when there is a grid stage.</summary>
    public ModelRef? Base { get; init; }
    /// <summary>Formula mode; default <c>from: grid</c> when there is a grid stage and no table.</summary>
    public CoefficientsRef? Coefficients { get; init; }
    /// <summary>Table mode: efficientnet or a table file.</summary>
    public string? Table { get; init; }
    /// <summary>φ values; null with a table means all of its members.</summary>
    public double[]? Phi { get; init; }
    public int ResolutionDivisor { get; init; } = 8;
}

public sealed record TrainStageConfig
{
    public string? FromRun { get; init; }
    public Recipe Recipe { get; init; } = new();
    public int? Subset { get; init; }
    /// <summary>Train on the training set less the held-out part, select nothing, report both held-out and test accuracy.</summary>
    public bool Holdout { get; init; }
    /// <summary>Which φ of the family to train (null: all).</summary>
    public double[]? Members { get; init; }
    public ModelRef[] Baselines { get; init; } = [];
}

public sealed record ReportConfig
{
    public string? Title { get; init; }
}
