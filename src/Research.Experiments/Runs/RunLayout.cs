namespace Research.Experiments.Runs;

/// <summary>
/// The files of a run directory: manifest.json, log.txt, one folder per stage (darts, random,
/// grid, ablation, scale, train) and the report (summary.md, plot.svg) at the top.
/// </summary>
public sealed record RunLayout(string Dir)
{
    public string Manifest => Path.Combine(Dir, "manifest.json");
    public string Log => Path.Combine(Dir, "log.txt");
    public string Summary => Path.Combine(Dir, "summary.md");
    public string Plot => Path.Combine(Dir, "plot.svg");

    public string Stage(string stage) => Path.Combine(Dir, stage);

    public string DartsDir => Stage("darts");
    /// <summary>The searched cell, which grid/scale bases with <c>from: darts</c> build on.</summary>
    public string Genotype => Path.Combine(DartsDir, "genotype.json");

    public string RandomDir => Stage("random");
    /// <summary>The random baseline's best cell, which bases with <c>from: random</c> build on.</summary>
    public string RandomGenotype => Path.Combine(RandomDir, Search.Darts.RandomSearch.GenotypeFileName);

    public string GridDir => Stage("grid");
    public string GridBest => Path.Combine(GridDir, "best.json");
    /// <summary>The base spec the grid scaled (what <c>base: {from: grid}</c> means).</summary>
    public string GridBase => Path.Combine(GridDir, "base.yaml");
    public string GridCandidates => Path.Combine(GridDir, "candidates.csv");

    public string AblationDir => Stage("ablation");
    public string AblationCsv => Path.Combine(AblationDir, "ablation.csv");

    public string ScaleDir => Stage("scale");
    public string ScaleCsv => Path.Combine(ScaleDir, "scale.csv");
    public string ScaleCoefficients => Path.Combine(ScaleDir, "coefficients.json");

    public string TrainDir => Stage("train");
    public string FamilyCsv => Path.Combine(TrainDir, "family.csv");
    public string BaselinesDir => Path.Combine(TrainDir, "baselines");

    /// <summary>The file whose presence (with status done) means the stage is finished.</summary>
    public string Marker(string stage) => stage == "report" ? Summary : Path.Combine(Stage(stage), Config.ExperimentFile.StageMarkers[stage]);
}
