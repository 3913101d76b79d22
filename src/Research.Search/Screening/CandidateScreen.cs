using Research.Core.Csv;
using Research.Models.Cost;
using Research.Models.LatencyTables;
using Research.Search.Proxies;

namespace Research.Search.Screening;

/// <summary>One candidate's screening: its predicted latency, its proxy score, and whether it trains (train), was over the latency budget (over_latency) or below the proxy's cut (filtered).</summary>
public sealed record ScreenedCandidate(int Index, string Name, string Genotype, long Params, long Macs, double? LatencyMs, double? Score, string Outcome)
{
    public const string Train = "train";
    public const string OverLatency = "over_latency";
    public const string Filtered = "filtered";
}

/// <summary>Every candidate's screening, in index order, and the indices that train.</summary>
public sealed record ScreeningResult(IReadOnlyList<ScreenedCandidate> Candidates)
{
    public IReadOnlyList<int> Trained => Candidates.Where(c => c.Outcome == ScreenedCandidate.Train).Select(c => c.Index).ToList();

    public ScreenedCandidate this[int index] => Candidates[index];
}

/// <summary>
/// Screens a search's candidates before any trains: first the latency budget (each candidate's latency predicted from the
/// table for the network it will be deployed as, over max_latency_ms skipped), then the prefilter (the rest scored by a zero-cost proxy on one seeded batch,
/// only the best ⌈keep·n⌉ train; ties go to the lower index). Writes nothing itself; <see cref="Write"/> lists them all.
/// </summary>
public static class CandidateScreen
{
    public const string FileName = "screened.csv";

    /// <param name="table">the latency table's path, resolved (null: none)</param>
    /// <param name="batchFor">the proxy's batch for a candidate's input shape (drawn by the seed from the candidates' training split)</param>
    public static ScreeningResult Run(ScreeningConfig cfg, IReadOnlyList<ProxyCandidate> candidates, string? table, Func<NetworkSpec, ProxyBatch> batchFor, int seed,
        Device device, TextWriter? log = null)
    {
        cfg.Validate();
        var latency = table is null ? null : LatencyTable.Load(table);
        var predicted = candidates.Select(c => latency?.Predict(c.Deployed ?? c.Spec)).ToList();
        var eligible = Enumerable.Range(0, candidates.Count).Where(i => cfg.MaxLatencyMs is not { } max || predicted[i] <= max).ToList();
        if (cfg.MaxLatencyMs is { } budget)
        {
            log?.WriteLine($"screen: {candidates.Count - eligible.Count} of {candidates.Count} candidate(s) over {Numbers.RoundTrip(budget)} ms ({latency!.Engine}, batch {latency.Batch}, {latency.Threads} thread(s)) skipped");
            if (eligible.Count == 0)
                throw new ArgumentException($"max_latency_ms {Numbers.RoundTrip(budget)}: every candidate is predicted slower (the fastest at {Numbers.Fixed(predicted.Min()!.Value, 3)} ms); raise the budget");
        }
        var scores = new double?[candidates.Count];
        var train = eligible;
        if (cfg.Prefilter is { } proxy)
        {
            var rows = ProxyEvaluation.Score(eligible.Select(i => candidates[i]).ToList(), [proxy], batchFor, seed, device);
            for (int k = 0; k < eligible.Count; k++) scores[eligible[k]] = rows[k].Value(proxy);
            int keep = Math.Max(1, (int)Math.Ceiling(cfg.Keep * eligible.Count));
            // NaN (an undefined score) ranks last.
            train = eligible.OrderByDescending(i => double.IsNaN(scores[i]!.Value) ? double.NegativeInfinity : scores[i]!.Value).ThenBy(i => i).Take(keep).Order().ToList();
            log?.WriteLine($"screen: prefilter {proxy} keeps {train.Count} of {eligible.Count} candidate(s) (keep {Numbers.RoundTrip(cfg.Keep)})");
        }
        var trained = train.ToHashSet();
        return new ScreeningResult(candidates.Select((c, i) =>
        {
            var cost = CostModel.Estimate(c.Spec);
            string outcome = trained.Contains(i) ? ScreenedCandidate.Train : eligible.Contains(i) ? ScreenedCandidate.Filtered : ScreenedCandidate.OverLatency;
            return new ScreenedCandidate(i, c.Name, c.Genotype, cost.Params, cost.Macs, predicted[i], scores[i], outcome);
        }).ToList());
    }

    /// <summary>
    /// The screening computed once and written to <paramref name="path"/>: by this process alone, or on several ranks by rank 0,
    /// which the others read after a barrier (every rank then trains the same candidates, whatever the last digits of its scores).
    /// </summary>
    public static ScreeningResult Shared(Research.Torch.Distributed.DistributedWorld? world, string path, Func<ScreeningResult> screen)
    {
        ScreeningResult? result = null;
        if (world is not { WorldSize: > 1 } || world.IsMain)
        {
            result = screen();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            Write(path, result);
        }
        if (world is { WorldSize: > 1 }) world.Group.Barrier();
        return result ?? Read(path);
    }

    public static ScreeningResult Read(string path) => new(CsvTable.Read(path).Select(r => new ScreenedCandidate(
        int.Parse(r["index"], System.Globalization.CultureInfo.InvariantCulture), r["name"], r["genotype"], long.Parse(r["params"], System.Globalization.CultureInfo.InvariantCulture),
        long.Parse(r["macs"], System.Globalization.CultureInfo.InvariantCulture), Optional(r["predicted_latency_ms"]), Optional(r["prefilter_score"]), r["outcome"])).ToList());

    private static double? Optional(string text) => text.Length == 0 ? null : Numbers.ParseDouble(text, CandidateScreen.FileName);

    public static readonly string[] Columns = ["index", "name", "params", "macs", "predicted_latency_ms", "prefilter_score", "outcome", "genotype"];

    public static void Write(string path, ScreeningResult result) =>
        CsvTable.Write(path, Columns, result.Candidates.Select(c => new[]
        {
            Numbers.Integer(c.Index), c.Name, Numbers.Integer(c.Params), Numbers.Integer(c.Macs), Numbers.RoundTrip(c.LatencyMs), Numbers.RoundTrip(c.Score), c.Outcome,
            c.Genotype,
        }));
}
