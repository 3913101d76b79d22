using System.Text.Json.Serialization;

namespace Research.Experiments.Config;

/// <summary>
/// A validated experiment file with every default filled in (the "resolved config"). The settings
/// are the lower layers' own records (<see cref="TrainConfig"/>, <see cref="GridSearchConfig"/>, …):
/// a stage record adds only what wires stages together (from_run, base, subset, from: grid). Paths
/// are kept as written; they resolve against <see cref="BaseDirectory"/>, the experiment file's folder.
/// Serialised (snake_case, settings by their keys) it is the canonical JSON whose hash names the run
/// directory. See experiments/README.md for the schema.
/// </summary>
public sealed record ExperimentConfig
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<ExecutionConfig>))]
    public ExecutionConfig Execution { get; init; } = new();
    [JsonConverter(typeof(SettingsJsonConverter<DataConfig>))]
    public DataConfig? Dataset { get; init; }
    public StagesConfig Stages { get; init; } = new();

    [JsonIgnore] public int Seed => Execution.Seed;
    [JsonIgnore] public string Device => Execution.Device;

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

public sealed record StagesConfig
{
    public DartsStageConfig? Darts { get; init; }
    public RandomStageConfig? Random { get; init; }
    public GridStageConfig? Grid { get; init; }
    public AblationStageConfig? Ablation { get; init; }
    public ScaleStageConfig? Scale { get; init; }
    public TrainStageConfig? Train { get; init; }
    public ReportConfig? Report { get; init; }
}

/// <summary>
/// Which network: a registered model or a spec/genotype file (<see cref="Model"/>), or an earlier
/// stage's output (<see cref="From"/>: darts → darts/genotype.json, random → random/random_genotype.json,
/// grid → grid/base.yaml), with
/// the model overrides (<see cref="ModelOverrides"/>).
/// </summary>
public sealed record ModelRef
{
    public string? Model { get; init; }
    public string? From { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<ModelOverrides>))]
    public ModelOverrides Overrides { get; init; } = new();

    public override string ToString() => Model ?? $"from {From}";
}

/// <summary>The DARTS cell search (stages.darts): its space, its data and the search's own settings; it leaves darts/genotype.json.</summary>
public sealed record DartsStageConfig
{
    public string? FromRun { get; init; }
    /// <summary>A search-space file (.yaml/.yml/.json, relative to the experiment file).</summary>
    public string? Space { get; init; }
    public int? Subset { get; init; }
    /// <summary>The seeds to run (each in its own seed&lt;S&gt;/ folder); null: the experiment's seed, in the stage folder itself.</summary>
    public int[]? Seeds { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<DartsRunConfig>))]
    public DartsRunConfig Search { get; init; } = new();
}

/// <summary>The random-search baseline (stages.random): genotypes sampled from a space and trained on the search's split; it leaves random/random_genotype.json.</summary>
public sealed record RandomStageConfig
{
    public string? FromRun { get; init; }
    public string? Space { get; init; }
    public int? Subset { get; init; }
    /// <summary>The seeds to run (each in its own seed&lt;S&gt;/ folder); null: the experiment's seed, in the stage folder itself.</summary>
    public int[]? Seeds { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<RandomSearchConfig>))]
    public RandomSearchConfig Search { get; init; } = new();
}

public sealed record GridStageConfig
{
    public string? FromRun { get; init; }
    public ModelRef? Base { get; init; }
    public int? Subset { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<GridSearchConfig>))]
    public GridSearchConfig Search { get; init; } = new();
}

public sealed record AblationStageConfig
{
    public string? FromRun { get; init; }
    public ModelRef? Base { get; init; }
    /// <summary>The compound member's coefficients come from grid/best.json (<c>coefficients: {from: grid}</c>) rather than <see cref="Search"/>.</summary>
    public bool CoefficientsFromGrid { get; init; }
    public int? Subset { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<AblationConfig>))]
    public AblationConfig Search { get; init; } = new();
}

public sealed record ScaleStageConfig
{
    public string? FromRun { get; init; }
    /// <summary>Default: <c>from: grid</c> when there is a grid stage.</summary>
    public ModelRef? Base { get; init; }
    /// <summary>Formula mode with the grid's (α, β, γ) (<c>coefficients: {from: grid}</c>, the default with a grid stage and no table).</summary>
    public bool CoefficientsFromGrid { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<FamilyConfig>))]
    public FamilyConfig Family { get; init; } = new();
}

public sealed record TrainStageConfig
{
    public string? FromRun { get; init; }
    [JsonConverter(typeof(SettingsJsonConverter<TrainConfig>))]
    public TrainConfig Recipe { get; init; } = new();
    public int? Subset { get; init; }
    /// <summary>Every member and baseline is trained once per seed (train/&lt;name&gt;/seed&lt;S&gt;/); null: once, with the experiment's seed, in train/&lt;name&gt;/.</summary>
    public int[]? Seeds { get; init; }
    /// <summary>Train on the training set less the held-out part, select nothing, report both held-out and test accuracy.</summary>
    public bool Holdout { get; init; }
    /// <summary>Which φ of the family to train (null: all).</summary>
    public double[]? Members { get; init; }
    public ModelRef[] Baselines { get; init; } = [];
    /// <summary>With several ranks: "members" shares the members and baselines out (each trained whole by one rank), "data" trains each on all ranks.</summary>
    public string Parallel { get; init; } = TrainStageConfig.ParallelMembers;

    public const string ParallelMembers = "members";
    public const string ParallelData = "data";
}

public sealed record ReportConfig
{
    public string? Title { get; init; }
    /// <summary>A latency table (relative to the experiment file): the family table gains each row's predicted latency.</summary>
    [JsonConverter(typeof(SettingsJsonConverter<Research.Models.LatencyTables.LatencyTableConfig>))]
    public Research.Models.LatencyTables.LatencyTableConfig Latency { get; init; } = new();
    /// <summary>Pairs of arms to test against each other (<c>phiN</c>: the family member at φ N; otherwise a baseline's model as written).</summary>
    public string[][] Compare { get; init; } = [];
    /// <summary>
    /// Named groups of at least two arms, each read as one method (its arms are its replicates), in the order written; compare may
    /// name them. Null when the file has none, and then left out of the canonical JSON, so runs without groups keep their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Groups { get; init; }
    /// <summary>How the comparisons are judged (significance).</summary>
    [JsonConverter(typeof(SettingsJsonConverter<ReportSettings>))]
    public ReportSettings Statistics { get; init; } = new();
}
