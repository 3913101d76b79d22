namespace Research.Experiments.Reports.Html;

/// <summary>
/// What a directory holds, from the names of its files alone (cheap enough to ask of every folder
/// under <c>runs/</c>): an experiment's run (manifest.json), or the output of one command —
/// <c>research train</c>, <c>search darts</c>, <c>search grid</c>, <c>search random</c> — which may share a folder.
/// </summary>
public static class RunFolder
{
    public const string Experiment = "experiment";
    public const string Train = "train";
    public const string Darts = "darts";
    public const string Grid = "grid";
    public const string Random = "random";

    public const string ManifestFile = "manifest.json";
    public const string HistoryFile = "history.csv";
    public const string MetricsFile = "metrics.json";
    public const string TrainConfigFile = "train.json";
    public const string DartsEpochsFile = "darts_epochs.csv";
    public const string AlphasFile = "alphas.csv";
    public const string CandidatesFile = "candidates.csv";
    public const string BestFile = "best.json";
    public const string RandomBaselineFile = "random_baseline.csv";

    /// <summary>The kinds of run <paramref name="dir"/> holds (empty: not a run).</summary>
    public static IReadOnlyList<string> Kinds(string dir)
    {
        bool Has(string name) => File.Exists(Path.Combine(dir, name));
        var kinds = new List<string>();
        if (Has(ManifestFile)) return [Experiment];
        if (Has(DartsSearch.GenotypeFileName) || Has(DartsEpochsFile)) kinds.Add(Darts);
        if (Has(CandidatesFile) || Has(BestFile)) kinds.Add(Grid);
        if (Has(RandomBaselineFile) || Has(Research.Search.Baseline.RandomSearch.GenotypeFileName)) kinds.Add(Random);
        if (Has(HistoryFile) || Has(MetricsFile) || Has(TrainConfigFile)) kinds.Add(Train);
        return kinds;
    }

    /// <summary>The file that a finished single command leaves last (its absence: still running, or stopped).</summary>
    public static string FinishedMarker(string kind) => kind switch
    {
        Darts => DartsSearch.GenotypeFileName,
        Grid => BestFile,
        Random => Research.Search.Baseline.RandomSearch.GenotypeFileName,
        _ => MetricsFile,
    };
}
