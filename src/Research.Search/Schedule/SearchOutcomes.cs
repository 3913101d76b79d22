using Research.Core.Csv;
using Research.Search.Baseline;
using Research.Search.Grid;

namespace Research.Search.Schedule;

/// <summary>One candidate's end in a finished search: its score, the rung it stopped at, the epochs it trained, its training time.</summary>
public sealed record CandidateOutcome(double Score, int Rung, int Epochs, double Seconds);

/// <summary>
/// A finished search's candidates as its table gives them (a grid's candidates.csv or a random
/// search's random_baseline.csv), by candidate: (α, β, γ) for a grid, the index for a random search.
/// What `research search compare` sets side by side.
/// </summary>
public sealed record SearchOutcomes(string Path, IReadOnlyDictionary<string, CandidateOutcome> Candidates)
{
    /// <param name="path">a search's folder, or its table</param>
    public static SearchOutcomes Read(string path)
    {
        if (Directory.Exists(path))
            path = new[] { GridSearch.CandidatesFileName, RandomSearch.CsvFileName }.Select(f => System.IO.Path.Combine(path, f)).FirstOrDefault(File.Exists)
                   ?? throw new FileNotFoundException($"{path}: neither {GridSearch.CandidatesFileName} nor {RandomSearch.CsvFileName} is there");
        var rows = CsvTable.Read(path);
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no candidates");
        bool grid = rows[0].ContainsKey("alpha");
        int Int(Dictionary<string, string> r, string k) => r.TryGetValue(k, out var v) && v.Length > 0 ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var result = new Dictionary<string, CandidateOutcome>(StringComparer.Ordinal);
        foreach (var r in rows.Where(r => !grid || r["kind"] == "grid"))
        {
            string key = grid ? $"({r["alpha"]}, {r["beta"]}, {r["gamma"]})" : r["index"];
            double score = Numbers.ParseDouble(grid ? r["objective"] : r["val_top1"], $"{path}: score");
            result[key] = new CandidateOutcome(score, Int(r, "rung"), Int(r, "epochs"), Numbers.ParseDouble(r["seconds"], $"{path}: seconds"));
        }
        return new SearchOutcomes(path, result);
    }

    /// <summary>Each candidate's place, 0 = best: a later rung first, then a higher score, then the key.</summary>
    public Dictionary<string, int> Positions() =>
        Candidates.OrderByDescending(kv => kv.Value.Rung).ThenByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select((kv, i) => (kv.Key, i)).ToDictionary(x => x.Key, x => x.i);
}
