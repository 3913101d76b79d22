using Research.Core.Csv;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Research.Torch.Distributed;
using Research.Training.Distributed;
using Research.Search.Schedule;
using MathNet.Numerics.Statistics;
using Research.Models.Cost;
using Research.Models.Scaling;
using Research.Training.Data;
using Research.Search.Proxies;
using Research.Search.Screening;

namespace Research.Search.Grid;

/// <summary>One evaluated candidate (a row of candidates.csv).</summary>
public sealed record CandidateResult(string Kind, Coefficients Coefficients, long Params, long Macs, double MacsRatio, double[] Accuracies, double Objective, double Seconds)
{
    /// <summary>The rung it stopped at (successive halving; 0 under the full schedule) and the epochs it had trained.</summary>
    public int Rung { get; init; }
    public int Epochs { get; init; }

    public double AccMean => Accuracies.Mean();
    public double AccStd => Accuracies.Length > 1 ? Accuracies.StandardDeviation() : 0;
}

public sealed record GridSearchResult(IReadOnlyList<CandidateResult> Candidates, CandidateResult Best, CandidateResult? RunnerUp, Comparison? Comparison);

/// <summary>
/// EfficientNet's step 1: at φ = 1, every candidate (α, β, γ) on the constraint grid scales the
/// base, trains on the proxy task with the same budget and seeds, and is scored on a held-out
/// part of the training set. Each (candidate, seed) trains in its own folder with checkpoints,
/// so a killed search resumes where it stopped and recomputes nothing that finished. On several
/// ranks the candidates are shared out (<see cref="ShardedWork"/>), each trained whole by one rank,
/// and rank 0 writes the same candidates.csv and best.json as a serial search.
/// </summary>
public static class GridSearch
{
    /// <summary>Every evaluated candidate, one row each.</summary>
    public const string CandidatesFileName = "candidates.csv";
    /// <summary>The winner's (α, β, γ), its runner-up and the test between them.</summary>
    public const string BestFileName = "best.json";
    /// <summary>The folder of each candidate's training runs (one per seed).</summary>
    public const string CandidatesFolder = "candidates";

    /// <param name="device">where candidates train (null: CPU)</param>
    /// <param name="world">ranks that share the candidates (null: this process trains them all)</param>
    public static GridSearchResult Run(NetworkSpec baseSpec, DatasetPair data, string datasetName, GridSearchConfig cfg, string outDir, TextWriter? log = null,
        Research.Torch.Device? device = null, DistributedWorld? world = null)
    {
        cfg.Validate();
        var grid = CoefficientGrid.Candidates(cfg.Step, cfg.Tolerance, cfg.Target);
        if (grid.Count == 0)
            throw new ArgumentException($"no (α, β, γ) on a {cfg.Step} grid has |α·β²·γ² − {cfg.Target}| ≤ {cfg.Tolerance}; raise tolerance");
        var chosen = Spread(grid, cfg.MaxCandidates);
        bool main = world?.IsMain ?? true;
        var proxy = DatasetSplit.HoldOut(data, cfg.ValidationFraction);
        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        // Screening (latency budget, prefilter) before anything trains.
        ScreeningResult? screened = null;
        var screenedByKey = new Dictionary<string, ScreenedCandidate>(StringComparer.Ordinal);
        if (cfg.Screening.Active)
        {
            var candidates = chosen.Select(c => new ProxyCandidate(CandidateSpec(baseSpec, c).Name, CandidateSpec(baseSpec, c))).ToList();
            var all = chosen;
            screened = CandidateScreen.Shared(world, Path.Combine(outDir, CandidateScreen.FileName), () => CandidateScreen.Run(cfg.Screening, candidates,
                cfg.Screening.Latency.Table, spec => ProxyBatch.FromDataset(proxy, spec, cfg.Screening.PrefilterBatch, cfg.Seeds[0]), cfg.Seeds[0], device ?? Research.Torch.Device.CPU, log));
            chosen = screened.Trained.Select(i => all[i]).ToList();
            for (int i = 0; i < all.Count; i++) screenedByKey[all[i].Key] = screened[i];
        }
        // Created after screening: a table that lacks a candidate's part leaves nothing behind.
        DurableFile.CreateDirectory(outDir);
        using var held = RankZeroLock.Hold(outDir, world);
        log?.WriteLine($"grid: {grid.Count} candidates with |α·β²·γ² − {cfg.Target}| ≤ {cfg.Tolerance}, evaluating {chosen.Count} × {cfg.Seeds.Length} seed(s); proxy train {proxy.Train.Count}, held-out {proxy.Test.Count}");

        string csv = Path.Combine(outDir, CandidatesFileName);
        List<CandidateResult> results;
        if (cfg.Schedule.IsHalving)
        {
            // Successive halving: every rung's survivors continue from their checkpoints; candidates.csv holds each one's last rung.
            var latest = new CandidateResult?[chosen.Count];
            var outcomes = SuccessiveHalving.Run(chosen.Count, cfg.Schedule.MinEpochs, cfg.Train.Epochs, cfg.Schedule.Eta, (alive, rung, epochs) =>
            {
                if (main) log?.WriteLine($"grid: rung {rung}: {alive.Count} candidate(s) to {epochs} epoch(s)");
                // The file follows the rung: each candidate's latest row, those of this rung as they finish.
                List<CandidateResult> Rows(IReadOnlyList<CandidateResult> done) =>
                    latest.Select(r => r is null ? null : done.FirstOrDefault(d => d.Coefficients == r.Coefficients) ?? r)
                        .Concat(done.Where(d => latest.All(r => r?.Coefficients != d.Coefficients))).Where(r => r is not null).Cast<CandidateResult>().ToList();
                var trained = Shared(world, $"grid-rung{rung}", alive.Count,
                    i => Evaluate("grid", chosen[alive[i]], baseSpec, proxy, datasetName, cfg, baseMacs, outDir, log, device, epochs) with { Rung = rung },
                    done => WriteCandidates(csv, Rows(done), screenedByKey));
                for (int i = 0; i < alive.Count; i++) latest[alive[i]] = trained[i];
                if (main) WriteCandidates(csv, Rows([]), screenedByKey);
                return trained.Select(r => r.Objective).ToList();
            });
            results = latest.Cast<CandidateResult>().ToList();
        }
        else
            results = Shared(world, "grid", chosen.Count, i => Evaluate("grid", chosen[i], baseSpec, proxy, datasetName, cfg, baseMacs, outDir, log, device),
                done => WriteCandidates(csv, done, screenedByKey)).ToList();
        if (cfg.Refine)
        {
            var surface = ResponseSurface.Fit(results.Select(r => (r.Coefficients, r.AccMean)).ToList());
            var opt = surface.ConstrainedOptimum(cfg.Target);
            if (main) log?.WriteLine($"refine: the response surface peaks at {opt} (predicted accuracy {surface.Predict(opt):F2}%)");
            var onGrid = results.ToList();
            results.AddRange(Shared(world, "grid-refined", 1, _ => Evaluate("refined", opt, baseSpec, proxy, datasetName, cfg, baseMacs, outDir, log, device),
                done => WriteCandidates(csv, [.. onGrid, .. done], screenedByKey)));
        }
        var ranked = Ranked(results);
        var best = ranked[0];
        var runnerUp = ranked.Count > 1 ? ranked[1] : null;
        // A test between budgets would compare training lengths, not candidates: under halving, only at the same rung.
        var cmp = runnerUp is null || runnerUp.Rung != best.Rung ? null : Significance.Welch(best.Accuracies, runnerUp.Accuracies);
        if (main) WriteBest(Path.Combine(outDir, BestFileName), best, runnerUp, cmp, cfg);
        return new GridSearchResult(results, best, runnerUp, cmp);
    }

    private static readonly JsonSerializerOptions ResultJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Candidates run serially or shared out over the ranks; <paramref name="written"/> sees the finished ones in order (on rank 0).</summary>
    private static IReadOnlyList<CandidateResult> Shared(DistributedWorld? world, string name, int count, Func<int, CandidateResult> run,
        Action<IReadOnlyList<CandidateResult>> written) =>
        ShardedWork.Run(world, name, count, run, r => JsonSerializer.Serialize(r, ResultJson), text => JsonSerializer.Deserialize<CandidateResult>(text, ResultJson)!,
            finished: done => written(done.Where(o => o.Result is not null).Select(o => o.Result!).ToList()))
            .Select(o => o.Result!).ToList();

    /// <summary>Best first: the later the rung, the better (halving), then by objective, then by (α, β, γ).</summary>
    public static List<CandidateResult> Ranked(IEnumerable<CandidateResult> results) =>
        results.OrderByDescending(r => r.Rung).ThenByDescending(r => r.Objective).ThenBy(r => r.Coefficients.Key, StringComparer.Ordinal).ToList();

    /// <summary>Trains (or reads back) one candidate on every seed, to <paramref name="stopAfterEpoch"/> (a rung) or the whole budget.</summary>
    public static CandidateResult Evaluate(string kind, Coefficients c, NetworkSpec baseSpec, DatasetPair proxy, string datasetName, GridSearchConfig cfg,
        long baseMacs, string outDir, TextWriter? log, Research.Torch.Device? device = null, int? stopAfterEpoch = null)
    {
        var spec = CandidateSpec(baseSpec, c);
        var cost = CostModel.Estimate(spec);
        var scores = CandidateTraining.Train(spec, proxy, datasetName, cfg.Train, cfg.Seeds, Path.Combine(outDir, CandidatesFolder, c.Key), device, stopAfterEpoch);
        double[] accs = scores.Accuracies;
        double ratio = (double)cost.Macs / baseMacs;
        double objective = cfg.Objective == "accuracy" ? accs.Average() : accs.Average() * Math.Pow(ratio / cfg.Target, cfg.MacsWeight);
        var result = new CandidateResult(kind, c, cost.Params, cost.Macs, ratio, accs, objective, scores.Seconds) { Epochs = scores.Epochs };
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind} {c} constraint {c.Constraint:F3} macs_ratio {ratio:F3} acc {result.AccMean:F2}±{result.AccStd:F2} objective {objective:F3} epochs {scores.Epochs}"));
        return result;
    }

    /// <summary>The base scaled by a candidate's coefficients at φ = 1, named base-KEY.</summary>
    public static NetworkSpec CandidateSpec(NetworkSpec baseSpec, Coefficients c) =>
        CompoundScaler.Scale(baseSpec, CompoundScaler.Member(baseSpec, c.Alpha, c.Beta, c.Gamma, 1) with { Name = $"{baseSpec.Name}-{c.Key}" });

    /// <summary>At most n candidates, evenly spaced through the grid's order (deterministic).</summary>
    public static IReadOnlyList<Coefficients> Spread(IReadOnlyList<Coefficients> grid, int? n)
    {
        if (n is null || n >= grid.Count) return grid;
        if (n == 1) return [grid[grid.Count / 2]];
        return Enumerable.Range(0, n.Value).Select(i => grid[(int)Math.Round(i * (grid.Count - 1) / (double)(n.Value - 1))]).Distinct().ToList();
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    public static readonly string[] CandidateColumns =
        ["kind", "alpha", "beta", "gamma", "constraint", "params", "macs", "macs_ratio", "acc_mean", "acc_std", "n_seeds", "objective", "seconds", "rung", "epochs",
            "predicted_latency_ms", "prefilter_score"];

    public static void WriteCandidates(string path, IReadOnlyList<CandidateResult> results, IReadOnlyDictionary<string, ScreenedCandidate>? screened = null) =>
        CsvTable.Write(path, CandidateColumns, results.Select(r => new[]
        {
            r.Kind, Numbers.RoundTrip(r.Coefficients.Alpha), Numbers.RoundTrip(r.Coefficients.Beta), Numbers.RoundTrip(r.Coefficients.Gamma),
            Numbers.RoundTrip(r.Coefficients.Constraint), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.MacsRatio),
            Numbers.RoundTrip(r.AccMean), Numbers.RoundTrip(r.AccStd), Numbers.Integer(r.Accuracies.Length), Numbers.RoundTrip(r.Objective), Numbers.Fixed(r.Seconds, 1),
            Numbers.Integer(r.Rung), Numbers.Integer(r.Epochs), Numbers.RoundTrip(screened?.GetValueOrDefault(r.Coefficients.Key)?.LatencyMs),
            Numbers.RoundTrip(screened?.GetValueOrDefault(r.Coefficients.Key)?.Score),
        }));

    private static void WriteBest(string path, CandidateResult best, CandidateResult? runnerUp, Comparison? cmp, GridSearchConfig cfg)
    {
        object Row(CandidateResult r) => new
        {
            kind = r.Kind, alpha = r.Coefficients.Alpha, beta = r.Coefficients.Beta, gamma = r.Coefficients.Gamma, constraint = r.Coefficients.Constraint, @params = r.Params, macs = r.Macs,
            macs_ratio = r.MacsRatio, acc_mean = r.AccMean, acc_std = r.AccStd, accuracies = r.Accuracies, objective = r.Objective,
        };
        var json = JsonSerializer.Serialize(new
        {
            objective = cfg.Objective, schedule = cfg.Schedule.Kind, alpha = best.Coefficients.Alpha, beta = best.Coefficients.Beta, gamma = best.Coefficients.Gamma, best = Row(best),
            runner_up = runnerUp is null ? null : Row(runnerUp),
            winner_vs_runner_up = cmp is null ? null : new
            {
                mean_difference = cmp.MeanDifference, t = Finite(cmp.TStatistic), df = Finite(cmp.DegreesOfFreedom), p_value = Finite(cmp.PValue),
                significant = cmp.Significant, verdict = cmp.Verdict,
            },
        }, new JsonSerializerOptions { WriteIndented = true });
        DurableFile.WriteAllText(path, json);
    }
}
