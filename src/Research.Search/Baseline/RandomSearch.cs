using Research.Core.Csv;
using Research.Core.Text;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using Research.Models.Cells;
using Research.Torch.Distributed;
using Research.Training.Data;
using Research.Training.Distributed;
using Research.Training;
using Research.Search.Darts;
using Research.Search.Schedule;

namespace Research.Search.Baseline;

public sealed record RandomCandidate(int Index, Genotype Genotype, long Params, long Macs, double ValTop1, double Seconds)
{
    /// <summary>The rung it stopped at (successive halving; 0 under the full schedule) and the epochs it had trained.</summary>
    public int Rung { get; init; }
    public int Epochs { get; init; }
}

public sealed record RandomSearchResult(IReadOnlyList<RandomCandidate> Candidates, RandomCandidate Best, GenotypeFile BestFile, double Seconds);

/// <summary>
/// The baseline every NAS result must beat (Li &amp; Talwalkar 2019): genotypes sampled uniformly
/// from the same space, each stacked in the supernet's layout and trained with the same recipe on
/// the same split as the search (weights on one half, scored on the other); the best is kept.
/// Each candidate trains in its own folder with checkpoints, so a killed baseline resumes. On several
/// ranks the candidates are shared out (<see cref="ShardedWork"/>) and rank 0 writes the same files;
/// with a time budget the cut-off then depends on which candidates finished first.
/// </summary>
public static class RandomSearch
{
    public const string GenotypeFileName = "random_genotype.json";
    /// <summary>Every trained candidate, one row each.</summary>
    public const string CsvFileName = "random_baseline.csv";
    /// <summary>The folder of the candidates' training runs (one per candidate).</summary>
    public const string CandidatesFolder = "random";

    /// <param name="template">options every candidate's training starts from (device, progress)</param>
    /// <param name="world">ranks that share the candidates (null: this process trains them all)</param>
    public static RandomSearchResult Run(SearchSpace space, DatasetPair data, string datasetName, RandomSearchConfig cfg, string outDir,
        TrainerOptions? template = null, TextWriter? log = null, DistributedWorld? world = null)
    {
        cfg.Validate();
        int count = cfg.Count, seed = cfg.Recipe.Seed;
        var recipe = cfg.CandidateRecipe;
        var schedule = cfg.Schedule;
        double? budgetSeconds = cfg.BudgetSeconds;
        double trainFraction = cfg.Recipe.TrainFraction;
        using var held = RankZeroLock.Hold(outDir, world);
        var (trainIdx, valIdx) = DatasetSplit.Split(data.Train.Count, trainFraction, seed);
        var proxy = data with
        {
            Train = data.Train.Select(trainIdx, data.Train.Name + "-search-train"), Test = data.Train.Select(valIdx, data.Train.Name + "-search-val"), Validation = null,
        };
        var ds = data.Train;
        var layout = space.Supernet with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size };
        var rng = new Random(seed);
        // Drawn up front, in the order a serial loop draws them, so every rank knows every candidate.
        var genotypes = Enumerable.Range(0, count).Select(_ => GenotypeDerivation.Random(space.Ops, space.Nodes, rng)).ToList();
        bool spent = false;
        bool Admit(IReadOnlyList<RandomCandidate> done, int i)
        {
            // A time budget (to match a search's) admits a candidate only if one more of average cost still fits.
            if (budgetSeconds is not { } budget || done.Count == 0 || done.Sum(r => r.Seconds) + done.Average(r => r.Seconds) <= budget) return true;
            if (!spent) log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random: budget {budget:F0} s spent after {done.Count} candidates"));
            spent = true;
            return false;
        }
        RandomCandidate Train(int i, int? stopAfter = null)
        {
            var g = genotypes[i];
            var spec = layout.ToSpec(g, $"random-{space.Name}-{i}");
            var dir = Path.Combine(outDir, CandidatesFolder, i.ToString(CultureInfo.InvariantCulture));
            var r = Trainer.Run(spec, proxy, datasetName, recipe with { Seed = seed },
                (template ?? new TrainerOptions { OutDir = dir }) with { OutDir = dir, Resume = true, World = null, StopAfterEpoch = stopAfter });
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"random {i}: val_top1 {r.Final.ValTop1:F2} epochs {r.Epochs} seconds {r.Seconds:F1} genotype {g}"));
            return new RandomCandidate(i, g, r.Params, r.Macs, r.Final.ValTop1, r.Seconds) { Epochs = r.Epochs };
        }
        string csv = Path.Combine(outDir, CsvFileName);
        List<RandomCandidate> results;
        if (schedule.IsHalving)
        {
            var latest = new RandomCandidate?[count];
            SuccessiveHalving.Run(count, schedule.MinEpochs, recipe.Epochs, schedule.Eta, (alive, rung, epochs) =>
            {
                if (world?.IsMain ?? true) log?.WriteLine($"random: rung {rung}: {alive.Count} genotype(s) to {epochs} epoch(s)");
                var trained = ShardedWork.Run(world, $"random-rung{rung}", alive.Count, i => Train(alive[i], epochs) with { Rung = rung }, Save, Load)
                    .Select(o => o.Result!).ToList();
                for (int i = 0; i < alive.Count; i++) latest[alive[i]] = trained[i];
                if (world?.IsMain ?? true) Write(csv, latest.Where(r => r is not null).Cast<RandomCandidate>().ToList());
                return trained.Select(r => r.ValTop1).ToList();
            });
            results = latest.Cast<RandomCandidate>().ToList();
        }
        else
            results = ShardedWork.Run(world, "random", count, i => Train(i), Save, Load,
                    admit: Admit, finished: done => Write(csv, done.Where(o => o.Result is not null).Select(o => o.Result!).ToList()))
                .Where(o => o.Result is not null).Select(o => o.Result!).ToList();
        var best = Ranked(results)[0];
        var file = new GenotypeFile($"random-{space.Name}", best.Genotype, space.Network with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size });
        if (world?.IsMain ?? true) file.Save(Path.Combine(outDir, GenotypeFileName));
        return new RandomSearchResult(results, best, file, results.Sum(r => r.Seconds));
    }

    public static readonly string[] Columns = ["index", "params", "macs", "val_top1", "seconds", "rung", "epochs", "genotype"];

    /// <summary>Best first: the later the rung, the better (halving), then by held-out accuracy, then by index.</summary>
    public static List<RandomCandidate> Ranked(IEnumerable<RandomCandidate> results) =>
        results.OrderByDescending(r => r.Rung).ThenByDescending(r => r.ValTop1).ThenBy(r => r.Index).ToList();

    // A candidate crosses between ranks as its figures and its genotype's JSON.
    private static string Save(RandomCandidate r) => string.Join('\t', Numbers.Integer(r.Index), Numbers.Integer(r.Params), Numbers.Integer(r.Macs),
        Numbers.RoundTrip(r.ValTop1), Numbers.RoundTrip(r.Seconds), Numbers.Integer(r.Rung), Numbers.Integer(r.Epochs), r.Genotype.ToJsonObject().ToJsonString());

    private static RandomCandidate Load(string text)
    {
        var f = text.Split('\t', 8);
        return new RandomCandidate(int.Parse(f[0], CultureInfo.InvariantCulture), Genotype.FromJsonObject(System.Text.Json.Nodes.JsonNode.Parse(f[7])!.AsObject(), "a random candidate"),
            long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture),
            double.Parse(f[4], CultureInfo.InvariantCulture))
        { Rung = int.Parse(f[5], CultureInfo.InvariantCulture), Epochs = int.Parse(f[6], CultureInfo.InvariantCulture) };
    }

    private static void Write(string path, IReadOnlyList<RandomCandidate> rows) =>
        CsvTable.Write(path, Columns, rows.Select(r => new[]
        {
            Numbers.Integer(r.Index), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.ValTop1), Numbers.Fixed(r.Seconds, 1),
            Numbers.Integer(r.Rung), Numbers.Integer(r.Epochs), r.Genotype.ToString(),
        }));
}
