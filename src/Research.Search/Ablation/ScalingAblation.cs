using Research.Core.Csv;
using Research.Core.IO;
using System.Globalization;
using System.Text;
using MathNet.Numerics.Statistics;
using Research.Models.Cost;
using Research.Models.Scaling;
using Research.Search.Grid;
using System.Text.Json;
using System.Text.Json.Serialization;
using Research.Torch.Distributed;
using Research.Training.Data;
using Research.Training.Distributed;

namespace Research.Search.Ablation;

/// <summary>One member of the ablation (a row of ablation.csv).</summary>
public sealed record AblationRow(string Mode, double TargetRatio, double DepthMultiplier, double WidthMultiplier, int Resolution, long Params, long Macs,
    double MacsRatio, double[] Accuracies, double Seconds)
{
    public double AccMean => Accuracies.Mean();
    public double AccStd => Accuracies.Length > 1 ? Accuracies.StandardDeviation() : 0;
}

/// <summary>One arm of the ablation as planned: its label (name-xTarget; the name is the mode's, or compound_name), the member, the scaled spec and its cost.</summary>
public sealed record AblationArm(string Label, string Name, string Mode, double Target, ScalingMember Member, NetworkSpec Spec, long Params, long Macs, double MacsRatio,
    string MatchedBy);

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
    /// <summary>--plan: each arm's spec (arms/&lt;label&gt;.yaml) and the plan's table.</summary>
    public const string ArmsFolder = "arms";
    public const string PlanFileName = "plan.csv";

    public static AblationResult Run(NetworkSpec baseSpec, DatasetPair data, string datasetName, AblationConfig ablation, GridSearchConfig cfg, string outDir,
        TextWriter? log = null, Research.Torch.Device? device = null, DistributedWorld? world = null)
    {
        cfg.Validate();
        // Every arm is solved and checked before anything trains: a target the base cannot meet is refused at once.
        var plan = Plan(baseSpec, ablation);
        using var held = RankZeroLock.Hold(outDir, world);
        var proxy = DatasetSplit.HoldOut(data, cfg.ValidationFraction);
        AblationRow Train(int i)
        {
            var arm = plan[i];
            var scores = CandidateTraining.Train(arm.Spec, proxy, datasetName, cfg.Train, cfg.Seeds, Path.Combine(outDir, MembersFolder, arm.Label), device);
            var row = new AblationRow(arm.Name, arm.Target, arm.Member.DepthMultiplier, arm.Member.WidthMultiplier, arm.Member.Resolution, arm.Params, arm.Macs,
                arm.MacsRatio, scores.Accuracies, scores.Seconds);
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{arm.Name} x{arm.Target}: depth {row.DepthMultiplier:F3} width {row.WidthMultiplier:F3} resolution {row.Resolution} macs_ratio {row.MacsRatio:F2} acc {row.AccMean:F2}±{row.AccStd:F2}"));
            return row;
        }
        var json = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        var rows = ShardedWork.Run(world, "ablation", plan.Count, Train, r => JsonSerializer.Serialize(r, json), t => JsonSerializer.Deserialize<AblationRow>(t, json)!,
                finished: done => Write(Path.Combine(outDir, CsvFileName), done.Where(o => o.Result is not null).Select(o => o.Result!).ToList()))
            .Select(o => o.Result!).ToList();
        var summary = new List<string>();
        foreach (var target in ablation.Targets)
        {
            var group = rows.Where(r => r.TargetRatio == target).OrderByDescending(r => r.AccMean).ToList();
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"at ~{target}x the base MACs, {group[0].Mode} scaling won ({group[0].AccMean:F2}%); then {string.Join(", ", group.Skip(1).Select(r => $"{r.Mode} {r.AccMean:F2}%"))}"));
        }
        if (world?.IsMain ?? true) DurableFile.WriteAllText(Path.Combine(outDir, SummaryFileName), string.Join("\n", summary) + "\n");
        return new AblationResult(rows, summary);
    }

    /// <summary>
    /// Every arm (each mode at each target, target by target), solved on the cost model; throws when an
    /// arm's MACs land further than macs_tolerance from its target (naming each such arm, what it
    /// reached, and the step that stopped it).
    /// </summary>
    public static IReadOnlyList<AblationArm> Plan(NetworkSpec baseSpec, AblationConfig ablation)
    {
        ablation = ablation.Validate();
        if (ablation.Targets.Length == 0) throw new ArgumentException("targets must be MACs ratios above 1, e.g. 2,4");
        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        var arms = new List<AblationArm>();
        foreach (double target in ablation.Targets)
            foreach (string mode in Modes)
            {
                string name = mode == "compound" ? ablation.CompoundName : mode;
                string label = $"{name}-x{target.ToString(CultureInfo.InvariantCulture)}";
                var member = Solve(baseSpec, mode, target, ablation.Coefficients, ablation.ResolutionDivisor, ablation.MacsTolerance) with { Name = $"{baseSpec.Name}-{label}" };
                var spec = CompoundScaler.Scale(baseSpec, member) with { Name = member.Name };
                var cost = CostModel.Estimate(spec);
                arms.Add(new AblationArm(label, name, mode, target, member, spec, cost.Params, cost.Macs, (double)cost.Macs / baseMacs,
                    MatchedBy(baseSpec, mode, member, ablation)));
            }
        var off = arms.Where(a => Math.Abs(a.MacsRatio / a.Target - 1) > ablation.MacsTolerance + 1e-12).ToList();
        if (off.Count > 0)
            throw new ArmsOffTargetException(FormattableString.Invariant(
                $"{off.Count} arm(s) of {baseSpec.Name} land further than {ablation.MacsTolerance:P0} from their MACs target: ") +
                string.Join("; ", off.Select(a => FormattableString.Invariant(
                    $"{a.Label} reaches {a.MacsRatio:F3}x (depth {a.Member.DepthMultiplier:F3}, width {a.Member.WidthMultiplier:F3}, resolution {a.Member.Resolution})"))) +
                $". Rounding makes MACs a step function: a smaller resolution_divisor (now {ablation.ResolutionDivisor}) gives finer resolution steps; " +
                "a wider macs_tolerance accepts the step");
        return arms;
    }

    /// <summary>How an arm's multipliers were found: its one dimension, φ, or φ with one dimension solved again.</summary>
    private static string MatchedBy(NetworkSpec baseSpec, string mode, ScalingMember m, AblationConfig ablation)
    {
        if (mode != "compound") return mode;
        var rule = CompoundScaler.Member(baseSpec, ablation.Alpha, ablation.Beta, ablation.Gamma, m.Phi, ablation.ResolutionDivisor);
        return m.WidthMultiplier != rule.WidthMultiplier ? "phi, width re-solved"
            : m.DepthMultiplier != rule.DepthMultiplier ? "phi, depth re-solved"
            : m.Resolution != rule.Resolution ? "phi, resolution re-solved" : "phi";
    }

    /// <summary>
    /// The multiplier of one dimension (or φ for compound) whose MACs come closest to target × base,
    /// by bisection on the cost model. Rounding makes MACs a step function, and at small inputs
    /// compound's rounded resolution can jump past the target (map sizes round up at each stride):
    /// where φ's closest member is further than <paramref name="trimBeyond"/> from the target, one of
    /// its three dimensions is solved again with the other two kept (width, depth or resolution,
    /// whichever lands closest; the plan shows the multipliers it got).
    /// </summary>
    public static ScalingMember Solve(NetworkSpec baseSpec, string mode, double target, Coefficients compound, int resolutionDivisor = 8, double trimBeyond = 0.05)
    {
        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        double RatioOf(ScalingMember m) => (double)CostModel.Estimate(CompoundScaler.Scale(baseSpec, m)).Macs / baseMacs;
        ScalingMember At(double x) => mode switch
        {
            "width" => new ScalingMember(baseSpec.Name + "-" + mode, 0, x, 1, baseSpec.Resolution, baseSpec.Head.Dropout),
            "depth" => new ScalingMember(baseSpec.Name + "-" + mode, 0, 1, x, baseSpec.Resolution, baseSpec.Head.Dropout),
            "resolution" => new ScalingMember(baseSpec.Name + "-" + mode, 0, 1, 1, CompoundScaler.RoundResolution(baseSpec.Resolution, x, resolutionDivisor),
                baseSpec.Head.Dropout),
            "compound" => CompoundScaler.Member(baseSpec, compound.Alpha, compound.Beta, compound.Gamma, x, resolutionDivisor) with { Dropout = baseSpec.Head.Dropout },
            _ => throw new ArgumentException($"unknown ablation mode '{mode}' (expected {string.Join(", ", Modes)})"),
        };
        var member = Closest(x => RatioOf(At(x)), target, mode == "compound" ? 0 : 1, mode == "compound" ? 1 : 1.5, $"{mode} scaling of {baseSpec.Name}", At);
        if (mode != "compound" || Math.Abs(RatioOf(member) / target - 1) <= trimBeyond) return member;
        // Each dimension in turn, the other two kept; the member that lands closest.
        var kept = member;
        int ResolutionAt(double x) => Math.Max(1, (int)Math.Round(kept.Resolution * x));
        var trims = new (Func<double, ScalingMember> At, double Lo, double Hi)[]
        {
            (w => kept with { WidthMultiplier = w }, kept.WidthMultiplier / 4, kept.WidthMultiplier),
            (d => kept with { DepthMultiplier = d }, kept.DepthMultiplier / 4, kept.DepthMultiplier),
            (x => kept with { Resolution = ResolutionAt(x) }, 0.25, 1),
        };
        foreach (var (trimAt, lo, hi) in trims)
        {
            ScalingMember candidate;
            try
            {
                candidate = Closest(x => RatioOf(trimAt(x)), target, lo, hi, $"compound scaling of {baseSpec.Name} (trimmed)", trimAt);
            }
            catch (ArgumentException)
            {
                continue; // this dimension alone cannot reach the target; the others may
            }
            if (Math.Abs(RatioOf(candidate) - target) < Math.Abs(RatioOf(member) - target)) member = candidate;
        }
        return member;
    }

    /// <summary>Bisection of a non-decreasing step function of x for target; whichever side of the step lands closer.</summary>
    private static ScalingMember Closest(Func<double, double> ratio, double target, double lo, double hi, string what, Func<double, ScalingMember> at)
    {
        while (ratio(hi) < target)
        {
            hi *= 2;
            if (hi > 64) throw new ArgumentException($"{what} cannot reach {target}x MACs");
        }
        for (int i = 0; i < 40; i++)
        {
            double mid = (lo + hi) / 2;
            if (ratio(mid) < target) lo = mid;
            else hi = mid;
        }
        return at(Math.Abs(ratio(lo) - target) <= Math.Abs(ratio(hi) - target) ? lo : hi);
    }

    public static readonly string[] PlanColumns = ["arm", "mode", "target_ratio", "matched_by", "phi", "depth_mult", "width_mult", "resolution", "params", "macs", "macs_ratio"];

    /// <summary>
    /// The plan alone (`search ablation --plan`): every arm's spec as arms/&lt;label&gt;.yaml (to train
    /// as baselines of a train stage, with seeds) and plan.csv; returns the table's lines.
    /// </summary>
    public static IReadOnlyList<string> WritePlan(NetworkSpec baseSpec, AblationConfig ablation, string outDir)
    {
        var arms = Plan(baseSpec, ablation);
        Directory.CreateDirectory(Path.Combine(outDir, ArmsFolder));
        foreach (var a in arms) SpecYaml.Save(a.Spec, Path.Combine(outDir, ArmsFolder, a.Label + ".yaml"));
        var cells = arms.Select(a => new[]
        {
            a.Label, a.Mode, Numbers.RoundTrip(a.Target), a.MatchedBy, Numbers.RoundTrip(a.Member.Phi), Numbers.RoundTrip(a.Member.DepthMultiplier), Numbers.RoundTrip(a.Member.WidthMultiplier),
            Numbers.Integer(a.Member.Resolution), Numbers.Integer(a.Params), Numbers.Integer(a.Macs), Numbers.RoundTrip(a.MacsRatio),
        }).ToList();
        CsvTable.Write(Path.Combine(outDir, PlanFileName), PlanColumns, cells);
        var baseCost = CostModel.Estimate(baseSpec);
        return [string.Create(CultureInfo.InvariantCulture, $"base {baseSpec.Name}: macs {baseCost.Macs}, params {baseCost.Params}"),
            .. arms.Select(a => string.Create(CultureInfo.InvariantCulture,
                $"{a.Label}: {(a.Mode == "compound" ? $"phi {a.Member.Phi:F3} ({a.MatchedBy}) " : "")}depth {a.Member.DepthMultiplier:F3} width {a.Member.WidthMultiplier:F3} resolution {a.Member.Resolution} params {a.Params} macs {a.Macs} ({a.MacsRatio:F3}x)"))];
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
