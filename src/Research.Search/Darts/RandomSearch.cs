using Research.Core.Csv;
using Research.Core.Text;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using Research.Models.Cells;
using Research.Training.Data;
using Research.Training;

namespace Research.Search.Darts;

public sealed record RandomCandidate(int Index, Genotype Genotype, long Params, long Macs, double ValTop1, double Seconds);

public sealed record RandomSearchResult(IReadOnlyList<RandomCandidate> Candidates, RandomCandidate Best, GenotypeFile BestFile, double Seconds);

/// <summary>
/// The baseline every NAS result must beat (Li &amp; Talwalkar 2019): genotypes sampled uniformly
/// from the same space, each stacked in the supernet's layout and trained with the same recipe on
/// the same split as the search (weights on one half, scored on the other); the best is kept.
/// Each candidate trains in its own folder with checkpoints, so a killed baseline resumes.
/// </summary>
public static class RandomSearch
{
    public const string GenotypeFileName = "random_genotype.json";

    public static RandomSearchResult Run(SearchSpace space, DatasetPair data, string datasetName, int count, TrainConfig recipe, double trainFraction,
        int seed, string outDir, TrainerOptions? template = null, TextWriter? log = null, double? budgetSeconds = null)
    {
        if (count < 1) throw new ArgumentException($"--random-baseline {count}: must be >= 1");
        if (budgetSeconds is <= 0) throw new ArgumentException($"budget {budgetSeconds} s: must be positive");
        var (trainIdx, valIdx) = DatasetSplit.Split(data.Train.Count, trainFraction, seed);
        var proxy = data with
        {
            Train = data.Train.Select(trainIdx, data.Train.Name + "-search-train"), Test = data.Train.Select(valIdx, data.Train.Name + "-search-val"), Validation = null,
        };
        var ds = data.Train;
        var layout = space.Supernet with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size };
        var rng = new Random(seed);
        var results = new List<RandomCandidate>();
        for (int i = 0; i < count; i++)
        {
            var g = GenotypeDerivation.Random(space.Ops, space.Nodes, rng);
            // A time budget (to match a search's) admits a candidate only if one more of average cost still fits.
            if (budgetSeconds is { } budget && results.Count > 0 && results.Sum(r => r.Seconds) + results.Average(r => r.Seconds) > budget)
            {
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random: budget {budget:F0} s spent after {results.Count} candidates"));
                break;
            }
            var spec = layout.ToSpec(g, $"random-{space.Name}-{i}");
            var dir = Path.Combine(outDir, "random", i.ToString(CultureInfo.InvariantCulture));
            var r = Trainer.Run(spec, proxy, datasetName, recipe with { Seed = seed },
                (template ?? new TrainerOptions { OutDir = dir }) with { OutDir = dir, Resume = true });
            results.Add(new RandomCandidate(i, g, r.Params, r.Macs, r.Final.ValTop1, r.Seconds));
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random {i}: val_top1 {r.Final.ValTop1:F2} seconds {r.Seconds:F1} genotype {g}"));
            Write(Path.Combine(outDir, "random_baseline.csv"), results);
        }
        var best = results.MaxBy(r => r.ValTop1)!;
        var file = new GenotypeFile($"random-{space.Name}", best.Genotype, space.Network with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size });
        file.Save(Path.Combine(outDir, GenotypeFileName));
        return new RandomSearchResult(results, best, file, results.Sum(r => r.Seconds));
    }

    public static readonly string[] Columns = ["index", "params", "macs", "val_top1", "seconds", "genotype"];

    private static void Write(string path, IReadOnlyList<RandomCandidate> rows) =>
        CsvTable.Write(path, Columns, rows.Select(r => new[]
        {
            Numbers.Integer(r.Index), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.ValTop1), Numbers.Fixed(r.Seconds, 1), r.Genotype.ToString(),
        }));
}
