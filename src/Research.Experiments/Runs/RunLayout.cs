namespace Research.Experiments.Runs;

/// <summary>
/// The files of a run directory: manifest.json, log.txt, one folder per stage (darts, random,
/// grid, ablation, scale, train) and the report (summary.md, plot.svg) at the top. Each layer
/// names the files it writes (the searches their CSVs and JSON, the trainer its run files, the
/// family its specs); this is where a run's stages put them and find each other's.
/// </summary>
public sealed record RunLayout(string Dir)
{
    public const string ManifestFile = "manifest.json";
    public const string LogFile = "log.txt";
    public const string SummaryFile = "summary.md";
    public const string PlotFile = "plot.svg";
    /// <summary>The spec the grid scaled, which <c>base: {from: grid}</c> builds on.</summary>
    public const string GridBaseFile = "base.yaml";
    /// <summary>The family's coefficients and how they were chosen.</summary>
    public const string ScaleCoefficientsFile = "coefficients.json";
    /// <summary>The family and the baselines, one row each: the train stage's table.</summary>
    public const string FamilyFile = "family.csv";
    /// <summary>Test-set figures of a member's saved weights (with holdout: evaluated once at the end).</summary>
    public const string TestFile = "test.json";

    public string Manifest => Path.Combine(Dir, ManifestFile);
    public string Log => Path.Combine(Dir, LogFile);
    public string Summary => Path.Combine(Dir, SummaryFile);
    public string Plot => Path.Combine(Dir, PlotFile);

    public string Stage(string stage) => Path.Combine(Dir, stage);

    public string DartsDir => Stage("darts");
    /// <summary>The searched cell, which grid/scale bases with <c>from: darts</c> build on.</summary>
    public string Genotype => Path.Combine(DartsDir, Search.Darts.DartsSearch.GenotypeFileName);

    public string RandomDir => Stage("random");
    /// <summary>The random baseline's best cell, which bases with <c>from: random</c> build on.</summary>
    public string RandomGenotype => Path.Combine(RandomDir, Search.Baseline.RandomSearch.GenotypeFileName);

    public string GridDir => Stage("grid");
    public string GridBest => Path.Combine(GridDir, Search.Grid.GridSearch.BestFileName);
    /// <summary>The base spec the grid scaled (what <c>base: {from: grid}</c> means).</summary>
    public string GridBase => Path.Combine(GridDir, GridBaseFile);
    public string GridCandidates => Path.Combine(GridDir, Search.Grid.GridSearch.CandidatesFileName);

    public string AblationDir => Stage("ablation");
    public string AblationCsv => Path.Combine(AblationDir, Search.Ablation.ScalingAblation.CsvFileName);

    public string ScaleDir => Stage("scale");
    public string ScaleCsv => Path.Combine(ScaleDir, ScalingFamily.CsvFileName);
    public string ScaleCoefficients => Path.Combine(ScaleDir, ScaleCoefficientsFile);
    /// <summary>scale/&lt;name&gt;.yaml: a member's spec, which the train stage reads.</summary>
    public string MemberSpec(string member) => Path.Combine(ScaleDir, ScalingFamily.SpecFileName(member));

    public string TrainDir => Stage("train");
    public string FamilyCsv => Path.Combine(TrainDir, FamilyFile);
    public string BaselinesDir => Path.Combine(TrainDir, "baselines");
    /// <summary>A member's training run (train/&lt;name&gt;/) and a baseline's (train/baselines/&lt;name&gt;/).</summary>
    public string MemberRun(string member) => Path.Combine(TrainDir, SafeFileName.Of(member));
    public string BaselineRun(string baseline) => Path.Combine(BaselinesDir, SafeFileName.Of(baseline));
    /// <summary>One seed's run of a stage that runs several (<c>seeds:</c>): DIR/seed&lt;S&gt;/.</summary>
    public static string SeedRun(string dir, int seed) => Path.Combine(dir, $"seed{seed}");
    /// <summary>A search stage run with several seeds: each seed's held-out accuracy and which one the later stages take.</summary>
    public const string SeedsFile = "seeds.csv";
    /// <summary>The test-set figures of the weights a training run saved (train stage with holdout).</summary>
    public static string TestFigures(RunFiles run) => Path.Combine(run.Dir, TestFile);

    /// <summary>The file a stage leaves in its folder when it is finished (and that a from_run folder must hold).</summary>
    public static string MarkerFile(string stage) => stage switch
    {
        "darts" => Search.Darts.DartsSearch.GenotypeFileName,
        "random" => Search.Baseline.RandomSearch.GenotypeFileName,
        "grid" => Search.Grid.GridSearch.BestFileName,
        "ablation" => Search.Ablation.ScalingAblation.CsvFileName,
        "scale" => ScalingFamily.CsvFileName,
        "train" => FamilyFile,
        "report" => SummaryFile,
        _ => throw new ArgumentException($"unknown stage '{stage}'"),
    };

    /// <summary>The file whose presence (with status done) means the stage is finished.</summary>
    public string Marker(string stage) => stage == "report" ? Summary : Path.Combine(Stage(stage), MarkerFile(stage));
}
