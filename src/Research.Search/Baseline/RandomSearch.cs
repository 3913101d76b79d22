using Research.Core.Csv;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using Research.Models.Cells;
using Research.Torch.Distributed;
using Research.Training.Data;
using Research.Training.Distributed;
using Research.Search.Darts;
using Research.Search.Schedule;
using Research.Search.Proxies;
using Research.Search.Screening;

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
        var screening = cfg.Screening;
        using var held = RankZeroLock.Hold(outDir, world);
        var (trainIdx, valIdx) = DatasetSplit.Split(data.Train.Count, trainFraction, seed);
        var proxy = data with
        {
            Train = data.Train.Select(trainIdx, data.Train.Name + "-search-train"), Test = data.Train.Select(valIdx, data.Train.Name + "-search-val"), Validation = null,
        };
        var ds = data.Train;
        var layout = Layout(space, data.Shape);
        // Drawn up front, in the order a serial loop draws them, so every rank knows every candidate.
        var genotypes = Sample(space, count, seed);
        // Screening (latency budget, prefilter) before anything trains: the candidates left, by their index in the draw.
        IReadOnlyList<int> pool = Enumerable.Range(0, count).ToList();
        ScreeningResult? screened = null;
        if (screening is { Active: true })
        {
            // The proxy scores the network that trains here; the budget is about the genotype in the space's network layout (random_genotype.json's).
            var deployed = space.Network with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size };
            var candidates = genotypes.Select((g, i) => new ProxyCandidate(CandidateName(space, i), layout.ToSpec(g, CandidateName(space, i)))
                { Deployed = deployed.ToSpec(g, CandidateName(space, i)) }).ToList();
            screened = CandidateScreen.Shared(world, Path.Combine(outDir, CandidateScreen.FileName), () => CandidateScreen.Run(screening, candidates,
                screening.Latency.Table, spec => ProxyBatch.FromDataset(proxy, spec, screening.PrefilterBatch, seed), seed, template?.Device ?? Research.Torch.Device.CPU, log));
            pool = screened.Trained;
        }
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
            var spec = layout.ToSpec(g, CandidateName(space, i));
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
            var latest = new RandomCandidate?[pool.Count];
            SuccessiveHalving.Run(pool.Count, schedule.MinEpochs, recipe.Epochs, schedule.Eta, (alive, rung, epochs) =>
            {
                if (world?.IsMain ?? true) log?.WriteLine($"random: rung {rung}: {alive.Count} genotype(s) to {epochs} epoch(s)");
                var trained = ShardedWork.Run(world, $"random-rung{rung}", alive.Count, i => Train(pool[alive[i]], epochs) with { Rung = rung }, Save, Load)
                    .Select(o => o.Result!).ToList();
                for (int i = 0; i < alive.Count; i++) latest[alive[i]] = trained[i];
                if (world?.IsMain ?? true) Write(csv, latest.Where(r => r is not null).Cast<RandomCandidate>().ToList(), screened);
                return trained.Select(r => r.ValTop1).ToList();
            });
            results = latest.Cast<RandomCandidate>().ToList();
        }
        else
            results = ShardedWork.Run(world, "random", pool.Count, i => Train(pool[i]), Save, Load,
                    admit: Admit, finished: done => Write(csv, done.Where(o => o.Result is not null).Select(o => o.Result!).ToList(), screened))
                .Where(o => o.Result is not null).Select(o => o.Result!).ToList();
        var best = Ranked(results)[0];
        var file = new GenotypeFile($"random-{space.Name}", best.Genotype, space.Network with { InChannels = ds.Channels, Classes = ds.Classes, Resolution = data.Shape.Size });
        if (world?.IsMain ?? true) file.Save(Path.Combine(outDir, GenotypeFileName));
        return new RandomSearchResult(results, best, file, results.Sum(r => r.Seconds));
    }

    /// <summary>The genotypes a search of this seed draws, in its order (uniform over the space's ops and inputs).</summary>
    public static List<Genotype> Sample(SearchSpace space, int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => GenotypeDerivation.Random(space.Ops, space.Nodes, rng)).ToList();
    }

    /// <summary>How candidates are stacked: the supernet's layout, at the data's channels, classes and image size.</summary>
    public static CellNetworkLayout Layout(SearchSpace space, Models.Networks.InputShape shape) =>
        space.Supernet with { InChannels = shape.Channels, Classes = shape.Classes, Resolution = shape.Size };

    /// <summary>Candidate i's network name (its model.yaml's, and its row's in proxies.csv).</summary>
    public static string CandidateName(SearchSpace space, int index) => $"random-{space.Name}-{index.ToString(CultureInfo.InvariantCulture)}";

    public static readonly string[] Columns = ["index", "params", "macs", "val_top1", "seconds", "rung", "epochs", "predicted_latency_ms", "prefilter_score", "genotype"];

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

    private static void Write(string path, IReadOnlyList<RandomCandidate> rows, ScreeningResult? screened) =>
        CsvTable.Write(path, Columns, rows.Select(r => new[]
        {
            Numbers.Integer(r.Index), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.ValTop1), Numbers.Fixed(r.Seconds, 1),
            Numbers.Integer(r.Rung), Numbers.Integer(r.Epochs), Numbers.RoundTrip(screened?[r.Index].LatencyMs), Numbers.RoundTrip(screened?[r.Index].Score),
            r.Genotype.ToString(),
        }));
}
