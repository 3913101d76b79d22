using System.Globalization;
using Research.Core.Csv;
using Research.Search.Darts;
using Research.Search.Grid;

namespace Research.Search.Proxies;

/// <summary>A trained candidate of a search: its network's name, the spec it trained (model.yaml), its held-out accuracy and epochs.</summary>
public sealed record TrainedCandidate(string Name, string SpecFile, double Accuracy, int Epochs);

/// <summary>
/// The trained candidates of a random search (random_baseline.csv, each candidate's random/INDEX/model.yaml) or a grid
/// search (candidates.csv, candidates/KEY/seedS/model.yaml): what `search proxies --run` scores and `--against` correlates
/// with. A candidate is named by its spec's name, so scores and accuracies meet by name.
/// </summary>
public static class RunCandidates
{
    public static bool IsRunDirectory(string path) =>
        Directory.Exists(path) && (File.Exists(Path.Combine(path, "random_baseline.csv")) || File.Exists(Path.Combine(path, "candidates.csv")));

    public static IReadOnlyList<TrainedCandidate> Read(string runDir)
    {
        string random = Path.Combine(runDir, "random_baseline.csv"), grid = Path.Combine(runDir, "candidates.csv");
        if (File.Exists(random))
            return CsvTable.Read(random).Select(r => Candidate(random, Path.Combine(runDir, "random", r["index"]), r["val_top1"], r["epochs"])).ToList();
        if (File.Exists(grid))
            return CsvTable.Read(grid).Select(r =>
            {
                var c = new Coefficients(Number(grid, r, "alpha"), Number(grid, r, "beta"), Number(grid, r, "gamma"));
                var dir = Path.Combine(runDir, "candidates", c.Key);
                var seedDir = Directory.Exists(dir) ? Directory.GetDirectories(dir, "seed*").Order(StringComparer.Ordinal).FirstOrDefault() : null;
                return Candidate(grid, seedDir ?? dir, r["acc_mean"], r["epochs"]);
            }).ToList();
        throw new InvalidDataException($"{runDir}: not a search run directory (neither random_baseline.csv of `search random` nor candidates.csv of `search grid`)");
    }

    private static TrainedCandidate Candidate(string csv, string dir, string accuracy, string epochs)
    {
        var spec = Path.Combine(dir, "model.yaml");
        if (!File.Exists(spec)) throw new InvalidDataException($"{csv}: the candidate in {dir} has no model.yaml");
        return new TrainedCandidate(SpecYaml.Load(spec).Name, spec, Numbers.ParseDouble(accuracy, $"{csv}: accuracy"),
            int.Parse(epochs, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static double Number(string csv, Dictionary<string, string> row, string column) => Numbers.ParseDouble(row[column], $"{csv}: {column}");

    /// <summary>
    /// Accuracies by network name from a run directory (its candidates; all must have trained the same epochs, or the
    /// comparison is of budgets) or a CSV with a name column and an accuracy column (accuracy, val_top1, acc_mean or test_top1).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Accuracies(string runDirOrCsv)
    {
        var path = runDirOrCsv;
        if (File.Exists(path) && Path.GetFileName(path) is "random_baseline.csv" or "candidates.csv") path = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Directory.Exists(path))
        {
            var trained = Read(path);
            var budgets = trained.Select(t => t.Epochs).Distinct().Order().ToList();
            if (budgets.Count > 1)
                throw new InvalidDataException($"{runDirOrCsv}: candidates trained for different epochs ({string.Join(", ", budgets)}: a halving schedule); " +
                                               "correlate with a search on the full schedule, where every candidate had the same budget");
            return Unique(trained.Select(t => (t.Name, t.Accuracy)), runDirOrCsv);
        }
        var rows = CsvTable.Read(path);
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no rows");
        string[] accuracyColumns = ["accuracy", "val_top1", "acc_mean", "test_top1"];
        var column = accuracyColumns.FirstOrDefault(rows[0].ContainsKey)
                     ?? throw new InvalidDataException($"{path}: no accuracy column (one of {string.Join(", ", accuracyColumns)})");
        if (!rows[0].ContainsKey("name")) throw new InvalidDataException($"{path}: no 'name' column");
        return Unique(rows.Select(r => (r["name"], Numbers.ParseDouble(r[column], $"{path}: {column}"))), path);
    }

    private static Dictionary<string, double> Unique(IEnumerable<(string Name, double Accuracy)> pairs, string source)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, acc) in pairs)
            if (!d.TryAdd(name, acc)) throw new InvalidDataException($"{source}: network '{name}' appears twice");
        return d;
    }
}
