using Research.Core.Settings;
using Research.Core.Text;

namespace Research.Models.Scaling;

/// <summary>
/// How a base network grows into a family: by a coefficient table (EfficientNet's B0–B7 or a YAML
/// file), by the formula d = α^φ, w = β^φ, r = γ^φ, or both side by side; which φ; and how
/// resolutions round. `research scale` options and the experiment file's scale keys.
/// </summary>
public sealed record FamilyConfig : ISettingsRecord<FamilyConfig>
{
    /// <summary>efficientnet, or a table file (.yaml); null for formula mode.</summary>
    public string? Table { get; init; }
    public double? Alpha { get; init; }
    public double? Beta { get; init; }
    public double? Gamma { get; init; }
    /// <summary>φ values; null: 0-7 in formula mode, every member of the table in table mode.</summary>
    public double[]? Phi { get; init; }
    public int ResolutionDivisor { get; init; } = 8;

    public static readonly double[] DefaultFormulaPhis = [0, 1, 2, 3, 4, 5, 6, 7];

    public static SettingSet<FamilyConfig> Settings { get; } = new SettingSet<FamilyConfig>(new FamilyConfig(), "compound scaling")
        .OptionalText("table", "efficientnet (the official B0–B7) or a YAML table file", "none (formula mode)", r => r.Table, (r, v) => r with { Table = v },
            valueText: "efficientnet or a .yaml file")
        .OptionalNumber("alpha", "depth coefficient α (formula mode, with beta and gamma)", "none", r => r.Alpha, (r, v) => r with { Alpha = v }, new SettingRange(1))
        .OptionalNumber("beta", "width coefficient β", "none", r => r.Beta, (r, v) => r with { Beta = v }, new SettingRange(1))
        .OptionalNumber("gamma", "resolution coefficient γ", "none", r => r.Gamma, (r, v) => r with { Gamma = v }, new SettingRange(1))
        .OptionalNumberList("phi", "φ values: a range 0-7 or a list 0,1,2.5", "0-7 (formula), every member (table)", r => r.Phi, (r, v) => r with { Phi = v },
            new SettingRange(0), distinct: true, integerRanges: true)
        .Integer("resolution_divisor", "resolutions round to multiples of this", r => r.ResolutionDivisor, (r, v) => r with { ResolutionDivisor = v }, min: 1)
        .Rule(r => (r.Alpha is null) == (r.Beta is null) && (r.Beta is null) == (r.Gamma is null) ? null
            : new SettingProblem(r.Alpha is null ? "alpha" : r.Beta is null ? "beta" : "gamma", "none", "given with the other two")
            {
                Explanation = "formula mode needs all of alpha, beta and gamma",
            });

    public FamilyConfig Validate() => Settings.Validate(this);

    /// <summary>(α, β, γ) when all three are given (formula mode).</summary>
    public (double Alpha, double Beta, double Gamma)? Coefficients => Alpha is { } a && Beta is { } b && Gamma is { } g ? (a, b, g) : null;

    /// <summary>The φ values to build: as given, else 0-7 in formula mode, else null (every member of the table).</summary>
    public IReadOnlyCollection<double>? Phis(ScalingTable? table) => Phi ?? (table is null ? DefaultFormulaPhis : null);

    /// <summary>The table this config names (relative files resolve against <paramref name="baseDirectory"/>), or null in formula mode.</summary>
    public ScalingTable? LoadTable(string? baseDirectory = null) => Table switch
    {
        null => null,
        var t when t.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || t.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) =>
            ScalingTable.Load(baseDirectory is null ? t : Path.GetFullPath(Path.Combine(baseDirectory, t))),
        var t => ScalingTable.Named(t),
    };

    /// <summary>The φ values as text, for messages.</summary>
    public static string Show(IEnumerable<double> phis) => string.Join(", ", phis.Select(Numbers.RoundTrip));
}
