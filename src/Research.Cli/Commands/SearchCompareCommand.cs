using System.CommandLine;
using MathNet.Numerics.Statistics;
using Research.Core.Csv;
using Research.Core.Text;

namespace Research.Cli.Commands;

/// <summary>
/// `research search compare A B`: two finished searches over the same candidates (a grid's
/// candidates.csv or a random search's random_baseline.csv), typically the full schedule and
/// successive halving: each one's winner, their training time, and the Spearman rank correlation
/// of the two orderings (a later rung ranks higher, then the score).
/// </summary>
public static class SearchCompareCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("first") { Description = "a search's folder (or its candidates.csv / random_baseline.csv), e.g. the full schedule's" };
        var second = new Argument<string>("second") { Description = "the other search over the same candidates, e.g. halving's" };
        var cmd = new Command("compare", "compare two searches over the same candidates: winners, training time, Spearman rank correlation") { first, second };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var a = Read(parse.GetValue(first)!);
            var b = Read(parse.GetValue(second)!);
            if (!a.Rows.Keys.Order().SequenceEqual(b.Rows.Keys.Order()))
                throw new ArgumentException($"{a.Path} and {b.Path} hold different candidates ({a.Rows.Count} and {b.Rows.Count}; compare searches over the same grid or the same sampled genotypes)");
            var keys = a.Rows.Keys.Order(StringComparer.Ordinal).ToList();
            var rankA = Positions(a.Rows);
            var rankB = Positions(b.Rows);
            double rho = keys.Count > 1 ? Correlation.Spearman(keys.Select(k => (double)rankA[k]), keys.Select(k => (double)rankB[k])) : 1;
            string winnerA = rankA.MinBy(kv => kv.Value).Key, winnerB = rankB.MinBy(kv => kv.Value).Key;
            o.WriteLine($"candidates {keys.Count}");
            o.WriteLine($"first_winner {winnerA}");
            o.WriteLine($"second_winner {winnerB}");
            o.WriteLine($"same_winner {(winnerA == winnerB ? "true" : "false")}");
            o.WriteLine($"first_train_seconds {Numbers.Fixed(a.Rows.Values.Sum(r => r.Seconds), 1)}");
            o.WriteLine($"second_train_seconds {Numbers.Fixed(b.Rows.Values.Sum(r => r.Seconds), 1)}");
            o.WriteLine($"first_epochs {a.Rows.Values.Sum(r => r.Epochs)}");
            o.WriteLine($"second_epochs {b.Rows.Values.Sum(r => r.Epochs)}");
            o.WriteLine($"spearman {Numbers.Fixed(rho, 4)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private sealed record Row(double Score, int Rung, int Epochs, double Seconds);

    /// <summary>A search's rows by candidate: (α, β, γ) for a grid, the index for a random search.</summary>
    private static (string Path, Dictionary<string, Row> Rows) Read(string path)
    {
        if (Directory.Exists(path))
            path = new[] { "candidates.csv", "random_baseline.csv" }.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists)
                   ?? throw new FileNotFoundException($"{path}: neither candidates.csv nor random_baseline.csv is there");
        var rows = CsvTable.Read(path);
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no candidates");
        bool grid = rows[0].ContainsKey("alpha");
        int Int(Dictionary<string, string> r, string k) => r.TryGetValue(k, out var v) && v.Length > 0 ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var result = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var r in rows.Where(r => !grid || r["kind"] == "grid"))
        {
            string key = grid ? $"({r["alpha"]}, {r["beta"]}, {r["gamma"]})" : r["index"];
            double score = Numbers.ParseDouble(grid ? r["objective"] : r["val_top1"], $"{path}: score");
            result[key] = new Row(score, Int(r, "rung"), Int(r, "epochs"), Numbers.ParseDouble(r["seconds"], $"{path}: seconds"));
        }
        return (path, result);
    }

    /// <summary>Each candidate's place, 0 = best: later rung first, then higher score, then the key.</summary>
    private static Dictionary<string, int> Positions(Dictionary<string, Row> rows) =>
        rows.OrderByDescending(kv => kv.Value.Rung).ThenByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select((kv, i) => (kv.Key, i)).ToDictionary(x => x.Key, x => x.i);
}
