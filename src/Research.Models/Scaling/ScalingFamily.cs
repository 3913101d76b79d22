using Research.Core.Csv;
using Research.Core.IO;
using Research.Core.Text;

namespace Research.Models.Scaling;

/// <summary>One member of a built family: its multipliers, its spec and its costs (a row of scale.csv).</summary>
public sealed record FamilyRow(string Name, double Phi, double Depth, double Width, int Resolution, double Dropout, long Params, long Macs, double MacsRatio,
    NetworkSpec Spec)
{
    /// <summary>(α·β²·γ²)^φ, in formula mode.</summary>
    public double? Predicted { get; init; }
    /// <summary>What the formula would give for a table member (both modes at once).</summary>
    public double? FormulaDepth { get; init; }
    public double? FormulaWidth { get; init; }
    public int? FormulaResolution { get; init; }
    /// <summary>Its latency predicted by a latency table (`research scale --latency-table`; null: none).</summary>
    public double? PredictedLatencyMs { get; init; }
}

/// <summary>
/// A base network grown into a family by a coefficient table and/or the formula d = α^φ, w = β^φ,
/// r = γ^φ, with each member's spec and costs; the shared core of `research scale` and the
/// experiment pipeline's scale stage, with the same scale.csv columns.
/// </summary>
public static class ScalingFamily
{
    /// <summary>The family's table: one row per member (params, MACs, resolution, multipliers).</summary>
    public const string CsvFileName = "scale.csv";

    /// <summary>A member's spec file: its name made safe for a file name, .yaml.</summary>
    public static string SpecFileName(string memberName) => SafeFileName.Of(memberName) + ".yaml";

    /// <summary>Writes each member's spec (<see cref="SpecFileName"/>) and scale.csv into <paramref name="dir"/>.</summary>
    public static void Save(IEnumerable<FamilyRow> rows, string dir)
    {
        var list = rows.ToList();
        DurableFile.CreateDirectory(dir);
        foreach (var r in list) SpecYaml.Save(r.Spec, Path.Combine(dir, SpecFileName(r.Name)));
        DurableFile.WriteAllText(Path.Combine(dir, CsvFileName), Csv(list));
    }

    /// <param name="baseSpec">the base (φ = 0)</param>
    /// <param name="table">table mode: its members (prefixed with the base's name); null for formula mode</param>
    /// <param name="coefficients">formula mode (α, β, γ); with a table too, the formula columns are filled for comparison</param>
    /// <param name="phis">φ values; null with a table means all of its members</param>
    public static List<FamilyRow> Build(NetworkSpec baseSpec, ScalingTable? table, (double Alpha, double Beta, double Gamma)? coefficients,
        IReadOnlyCollection<double>? phis, int resolutionDivisor = 8)
    {
        if (table is null && coefficients is null) throw new ArgumentException("give a scaling table or coefficients (alpha, beta, gamma)");
        List<ScalingMember> members;
        if (table is not null)
            members = table.Select(phis).Select(m => m with { Name = $"{baseSpec.Name}-{m.Name}" }).ToList();
        else
        {
            if (phis is null || phis.Count == 0) throw new ArgumentException("formula mode needs a list of phi values");
            var (a, b, g) = coefficients!.Value;
            members = phis.Select(p => CompoundScaler.Member(baseSpec, a, b, g, p, resolutionDivisor)).ToList();
        }

        long baseMacs = CostModel.Estimate(baseSpec).Macs;
        var rows = new List<FamilyRow>();
        foreach (var m in members)
        {
            var spec = CompoundScaler.Scale(baseSpec, m);
            var cost = CostModel.Estimate(spec);
            var row = new FamilyRow(spec.Name, m.Phi, m.DepthMultiplier, m.WidthMultiplier, m.Resolution, m.Dropout, cost.Params, cost.Macs,
                (double)cost.Macs / baseMacs, spec);
            if (coefficients is { } c)
            {
                row = row with { Predicted = Math.Pow(CompoundScaler.Constraint(c.Alpha, c.Beta, c.Gamma), m.Phi) };
                if (table is not null)
                {
                    var f = CompoundScaler.Member(baseSpec, c.Alpha, c.Beta, c.Gamma, m.Phi, resolutionDivisor);
                    row = row with { FormulaDepth = f.DepthMultiplier, FormulaWidth = f.WidthMultiplier, FormulaResolution = f.Resolution };
                }
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The family a config describes (its table loaded relative to <paramref name="baseDirectory"/>); coefficients may come from elsewhere (a grid).</summary>
    public static List<FamilyRow> Build(NetworkSpec baseSpec, FamilyConfig cfg, (double Alpha, double Beta, double Gamma)? coefficients = null,
        string? baseDirectory = null)
    {
        cfg.Validate();
        var table = cfg.LoadTable(baseDirectory);
        var c = coefficients ?? cfg.Coefficients;
        if (table is null && c is null) throw new ArgumentException("give a scaling table (table: efficientnet or a file) or the coefficients alpha, beta and gamma");
        return Build(baseSpec, table, c, cfg.Phis(table), cfg.ResolutionDivisor);
    }

    public static readonly string[] Columns =
        ["name", "phi", "depth_mult", "width_mult", "resolution", "dropout", "params", "macs", "macs_ratio", "predicted_ratio", "formula_depth", "formula_width",
         "formula_resolution"];

    /// <summary>The rows as scale.csv (numbers round-trip, invariant culture), with predicted_latency_ms last when the rows have predictions.</summary>
    public static string Csv(IReadOnlyList<FamilyRow> rows)
    {
        bool latency = rows.Any(r => r.PredictedLatencyMs is not null);
        return CsvTable.ToText(latency ? [.. Columns, "predicted_latency_ms"] : Columns, rows.Select(r => (IReadOnlyList<string?>)
        [
            r.Name, Numbers.RoundTrip(r.Phi), Numbers.RoundTrip(r.Depth), Numbers.RoundTrip(r.Width), Numbers.Integer(r.Resolution), Numbers.RoundTrip(r.Dropout),
            Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.RoundTrip(r.MacsRatio), Numbers.RoundTrip(r.Predicted), Numbers.RoundTrip(r.FormulaDepth),
            Numbers.RoundTrip(r.FormulaWidth), Numbers.Integer(r.FormulaResolution), .. latency ? [Numbers.RoundTrip(r.PredictedLatencyMs)] : Array.Empty<string?>(),
        ]));
    }
}
