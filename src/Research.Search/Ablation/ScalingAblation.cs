using Research.Core.Csv;
using Research.Core.Text;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using MathNet.Numerics.Statistics;
using Research.Models.Cost;
using Research.Models.Scaling;
using Research.Models.Specs;
using Research.Search.Grid;
using System.Text.Json;
using System.Text.Json.Serialization;
using Research.Torch.Distributed;
using Research.Training.Data;
using Research.Training.Distributed;
using Research.Training;

namespace Research.Search.Ablation;

/// <summary>One member of the ablation (a row of ablation.csv).</summary>
public sealed record AblationRow(string Mode, double TargetRatio, double DepthMultiplier, double WidthMultiplier, int Resolution, long Params, long Macs,
    double MacsRatio, double[] Accuracies, double Seconds)
{
    public double AccMean => Accuracies.Mean();
    public double AccStd => Accuracies.Length > 1 ? Accuracies.StandardDeviation() : 0;
}

public sealed record AblationResult(IReadOnlyList<AblationRow> Rows, IReadOnlyList<string> Summary);

/// <summary>
/// EfficientNet's Table 3 experiment on any base: members scaled by width only, depth only,
/// resolution only, and compound (α, β, γ), each at about the same MACs (e.g. 2× and 4× the
/// base), trained identically, scored on a held-out part of the training set. On several ranks
/// the members are shared out and rank 0 writes ablation.csv and summary.txt.
/// </summary>
public static class ScalingAblation
{
    public static readonly string[] Modes = ["width", "depth", "resolution", "compound"];

    /// <summary>One row per member.</summary>
    public const string CsvFileName = "ablation.csv";
    /// <summary>Which scaling won at each target, a sentence a line.</summary>
    public const string SummaryFileName = "summary.txt";
    /// <summary>The folder of each member's training runs (one per seed).</summary>
    public const string MembersFolder = "members";

    public static AblationResult Run(NetworkSpec baseSpec, DatasetPair data, string datasetName, double[] targets, Coefficients compound,
        GridSearchConfig cfg, string outDir, TextWriter? log = null, Research.Torch.Device? device = null, DistributedWorld? world = null)
    {
        cfg.Validate();
        if (targets.Length == 0 || targets.Any(t => !(t > 1))) throw new ArgumentException("targets must be MACs ratios above 1, e.g. 2,4");
        using var held = RankZeroLock.Hold(outDir, world);
        var proxy = DatasetSplit.HoldOut(data, cfg.ValidationFraction);
        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        var plan = targets.SelectMany(target => Modes.Select(mode => (Target: target, Mode: mode))).ToList();
        AblationRow Train(int i)
        {
            var (target, mode) = plan[i];
            string label = $"{mode}-x{target.ToString(CultureInfo.InvariantCulture)}";
            var member = Solve(baseSpec, mode, target, compound) with { Name = $"{baseSpec.Name}-{label}" };
            var spec = CompoundScaler.Scale(baseSpec, member);
            var cost = CostModel.Estimate(spec);
            var scores = CandidateTraining.Train(spec, proxy, datasetName, cfg.Train, cfg.Seeds, Path.Combine(outDir, MembersFolder, label), device);
            var row = new AblationRow(mode, target, member.DepthMultiplier, member.WidthMultiplier, member.Resolution, cost.Params, cost.Macs,
                (double)cost.Macs / baseMacs, scores.Accuracies, scores.Seconds);
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode} x{target}: depth {row.DepthMultiplier:F3} width {row.WidthMultiplier:F3} resolution {row.Resolution} macs_ratio {row.MacsRatio:F2} acc {row.AccMean:F2}±{row.AccStd:F2}"));
            return row;
        }
        var json = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        var rows = ShardedWork.Run(world, "ablation", plan.Count, Train, r => JsonSerializer.Serialize(r, json), t => JsonSerializer.Deserialize<AblationRow>(t, json)!,
                finished: done => Write(Path.Combine(outDir, CsvFileName), done.Where(o => o.Result is not null).Select(o => o.Result!).ToList()))
            .Select(o => o.Result!).ToList();
        var summary = new List<string>();
        foreach (var target in targets)
        {
            var group = rows.Where(r => r.TargetRatio == target).OrderByDescending(r => r.AccMean).ToList();
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"at ~{target}x the base MACs, {group[0].Mode} scaling won ({group[0].AccMean:F2}%); then {string.Join(", ", group.Skip(1).Select(r => $"{r.Mode} {r.AccMean:F2}%"))}"));
        }
        if (world?.IsMain ?? true) DurableFile.WriteAllText(Path.Combine(outDir, SummaryFileName), string.Join("\n", summary) + "\n");
        return new AblationResult(rows, summary);
    }

    /// <summary>The multiplier of one dimension (or φ for compound) whose MACs come closest to target × base, by bisection on the cost model.</summary>
    public static ScalingMember Solve(NetworkSpec baseSpec, string mode, double target, Coefficients compound)
    {
        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        ScalingMember At(double x) => mode switch
        {
            "width" => new ScalingMember(baseSpec.Name + "-" + mode, 0, x, 1, baseSpec.Resolution, baseSpec.Head.Dropout),
            "depth" => new ScalingMember(baseSpec.Name + "-" + mode, 0, 1, x, baseSpec.Resolution, baseSpec.Head.Dropout),
            "resolution" => new ScalingMember(baseSpec.Name + "-" + mode, 0, 1, 1, CompoundScaler.RoundResolution(baseSpec.Resolution, x), baseSpec.Head.Dropout),
            "compound" => CompoundScaler.Member(baseSpec, compound.Alpha, compound.Beta, compound.Gamma, x) with { Dropout = baseSpec.Head.Dropout },
            _ => throw new ArgumentException($"unknown ablation mode '{mode}' (expected {string.Join(", ", Modes)})"),
        };
        double Ratio(double x) => (double)CostModel.Estimate(CompoundScaler.Scale(baseSpec, At(x))).Macs / baseMacs;
        double lo = mode == "compound" ? 0 : 1, hi = mode == "compound" ? 1 : 1.5;
        while (Ratio(hi) < target)
        {
            hi *= 2;
            if (hi > 64) throw new ArgumentException($"{mode} scaling of {baseSpec.Name} cannot reach {target}x MACs");
        }
        for (int i = 0; i < 40; i++)
        {
            double mid = (lo + hi) / 2;
            if (Ratio(mid) < target) lo = mid;
            else hi = mid;
        }
        // Rounding makes MACs a step function: take whichever side lands closer.
        double x0 = Math.Abs(Ratio(lo) - target) <= Math.Abs(Ratio(hi) - target) ? lo : hi;
        return At(x0);
    }

    public static readonly string[] Columns =
        ["mode", "target_ratio", "depth_mult", "width_mult", "resolution", "params", "macs", "macs_ratio", "acc_mean", "acc_std", "n_seeds", "seconds"];

    private static void Write(string path, List<AblationRow> rows) =>
        CsvTable.Write(path, Columns, rows.Select(r => new[]
        {
            r.Mode, Numbers.RoundTrip(r.TargetRatio), Numbers.RoundTrip(r.DepthMultiplier), Numbers.RoundTrip(r.WidthMultiplier), Numbers.Integer(r.Resolution),
            Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.MacsRatio), Numbers.RoundTrip(r.AccMean), Numbers.RoundTrip(r.AccStd),
            Numbers.Integer(r.Accuracies.Length), Numbers.Fixed(r.Seconds, 1),
        }));
}
