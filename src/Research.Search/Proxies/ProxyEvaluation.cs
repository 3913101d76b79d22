using System.Diagnostics;
using Research.Core.Csv;
using Research.Models.Cost;
using Research.Models.Networks;
using Research.Torch.IO;
using Research.Models.Weights;

namespace Research.Search.Proxies;

/// <summary>
/// Scores many networks with the same proxies: each initialised by the same seed (or loaded from given weights), on one
/// batch per input shape, and writes proxies.csv (one row per network: name, genotype, params, MACs, one column per proxy,
/// seconds).
/// </summary>
public static class ProxyEvaluation
{
    /// <param name="batchFor">the batch for a spec (null when no proxy needs one); called once per input shape</param>
    /// <param name="weights">a weights file every network loads (one network, usually), or null for a seeded initialisation</param>
    /// <param name="progress">hears (done, total) after each network</param>
    public static List<ProxyRow> Score(IReadOnlyList<ProxyCandidate> candidates, IReadOnlyList<string> proxies, Func<NetworkSpec, ProxyBatch>? batchFor, int seed,
        Device device, string? weights = null, TextWriter? log = null, Action<int, int>? progress = null)
    {
        var batches = new Dictionary<(int, int), ProxyBatch>();
        using var file = weights is null ? null : WeightFile.Load(weights, device);
        var rows = new List<ProxyRow>();
        try
        {
            foreach (var c in candidates)
            {
                var clock = Stopwatch.StartNew();
                ProxyBatch? batch = null;
                if (proxies.Any(ZeroCostProxy.NeedsBatch) && batchFor is not null)
                {
                    var shape = (c.Spec.InChannels, c.Spec.Resolution);
                    if (!batches.TryGetValue(shape, out batch))
                    {
                        using var made = batchFor(c.Spec);
                        batches[shape] = batch = made.To(device);
                    }
                }
                var scores = ProxyScorer.Score(c.Spec, () => Build(c.Spec, seed, device, file, weights), batch, proxies);
                var cost = CostModel.Estimate(c.Spec);
                var row = new ProxyRow(c.Name, c.Genotype, cost.Params, cost.Macs, scores, clock.Elapsed.TotalSeconds);
                rows.Add(row);
                log?.WriteLine($"proxies {c.Name}: {string.Join(" ", proxies.Select(p => $"{p} {Numbers.RoundTrip(scores[p])}"))} seconds {Numbers.Fixed(row.Seconds, 2)}");
                progress?.Invoke(rows.Count, candidates.Count);
            }
        }
        finally
        {
            foreach (var b in batches.Values) b.Dispose();
        }
        return rows;
    }

    /// <summary>The network, initialised by the seed, with the given weights loaded over it when there are any.</summary>
    public static Network Build(NetworkSpec spec, int seed, Device device, IWeightTensors? file, string? source)
    {
        torch.manual_seed(seed);
        var net = NetworkBuilder.Build(spec);
        try
        {
            net.to(device);
            if (file is not null) WeightImport.Load(net, file, source!, newClassifier: false);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>The computed proxies' columns: params and MACs are always columns of their own.</summary>
    public static IReadOnlyList<string> Computed(IReadOnlyList<string> proxies) => proxies.Where(p => p is not (ZeroCostProxy.Params or ZeroCostProxy.Macs)).ToList();

    public static IReadOnlyList<string> Columns(IReadOnlyList<string> proxies) => ["name", "genotype", "params", "macs", .. Computed(proxies), "seconds"];

    /// <summary>proxies.csv, one row per network.</summary>
    public static void Write(string path, IReadOnlyList<string> proxies, IEnumerable<ProxyRow> rows) =>
        CsvTable.Write(path, Columns(proxies), rows.Select(r => (IReadOnlyList<string?>)
        [
            r.Name, r.Genotype, Numbers.Integer(r.Params), Numbers.Integer(r.Macs), .. Computed(proxies).Select(p => Numbers.RoundTrip(r.Scores[p])),
            Numbers.Fixed(r.Seconds, 3),
        ]));

    /// <summary>A proxies.csv read back: each row's scores by column (params and MACs among them).</summary>
    public static List<ProxyRow> Read(string path)
    {
        var rows = CsvTable.Read(path);
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no rows");
        foreach (var need in new[] { "name", "params", "macs" })
            if (!rows[0].ContainsKey(need)) throw new InvalidDataException($"{path}: no '{need}' column (not a proxies.csv)");
        var proxies = rows[0].Keys.Where(k => ZeroCostProxy.Names.Contains(k)).ToList();
        return rows.Select((r, i) =>
        {
            double Value(string column) => double.TryParse(r[column], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v : throw new InvalidDataException($"{path}: row {i + 2}: {column} '{r[column]}' is not a number");
            return new ProxyRow(r["name"], r.GetValueOrDefault("genotype") ?? "", (long)Value("params"), (long)Value("macs"),
                proxies.ToDictionary(p => p, Value), r.ContainsKey("seconds") ? Value("seconds") : 0);
        }).ToList();
    }
}
