using Research.Core.Settings;
using Research.Search.Grid;

namespace Research.Search.Ablation;

/// <summary>The scaling ablation: which MACs ratios to match, the compound member's coefficients, and the seeds and recipe every member trains with.</summary>
public sealed record AblationConfig : ISettingsRecord<AblationConfig>
{
    /// <summary>MACs ratios to match (each above 1): every mode is solved to land near target × the base's MACs.</summary>
    public double[] Targets { get; init; } = [2, 4];
    /// <summary>The compound member's (α, β, γ); EfficientNet's 1.2, 1.1, 1.15 unless given.</summary>
    public double Alpha { get; init; } = 1.2;
    public double Beta { get; init; } = 1.1;
    public double Gamma { get; init; } = 1.15;
    /// <summary>The compound arm's name in labels and files (compound-x2): another name tells two compound arms apart (another α, β, γ).</summary>
    public string CompoundName { get; init; } = "compound";
    /// <summary>Resolutions round to multiples of this (the scaler's 8 by default; small images want 1 or 2 for a close match).</summary>
    public int ResolutionDivisor { get; init; } = 8;
    /// <summary>Each arm's MACs must land within this fraction of its target, or the ablation is refused before it trains.</summary>
    public double MacsTolerance { get; init; } = 0.05;
    /// <summary>Seeds, recipe (one epoch by default) and held-out fraction, as the grid search has them.</summary>
    public GridSearchConfig Grid { get; init; } = new();

    public Coefficients Coefficients => new(Alpha, Beta, Gamma);

    public static SettingSet<AblationConfig> Settings { get; } = new SettingSet<AblationConfig>(new AblationConfig(), "scaling ablation")
        .NumberList("targets", "MACs ratios to match, e.g. 2,4", r => r.Targets, (r, v) => r with { Targets = v }, new SettingRange(1, MinExclusive: true))
        .Number("alpha", "the compound member's depth coefficient α", r => r.Alpha, (r, v) => r with { Alpha = v }, new SettingRange(1))
        .Number("beta", "the compound member's width coefficient β", r => r.Beta, (r, v) => r with { Beta = v }, new SettingRange(1))
        .Number("gamma", "the compound member's resolution coefficient γ", r => r.Gamma, (r, v) => r with { Gamma = v }, new SettingRange(1))
        .Text("compound_name", "the compound arm's name in labels and files (another name tells two compound arms apart)", r => r.CompoundName,
            (r, v) => r with { CompoundName = v }, valueText: "a name of letters, digits, '-' and '_'")
        .Integer("resolution_divisor", "resolutions round to multiples of this (small images match MACs closer with 1 or 2)", r => r.ResolutionDivisor,
            (r, v) => r with { ResolutionDivisor = v }, min: 1)
        .Number("macs_tolerance", "how far (a fraction) each arm's MACs may land from its target before the ablation is refused", r => r.MacsTolerance,
            (r, v) => r with { MacsTolerance = v }, new SettingRange(0, 1))
        .Rule(r => r.CompoundName.Length > 0 && r.CompoundName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null
            : new SettingProblem("compound_name", r.CompoundName, "a name of letters, digits, '-' and '_'"))
        .Include(GridSearchConfig.Settings, r => r.Grid, (r, v) => r with { Grid = v }, ["seeds", .. TrainConfig.Settings.Keys.Except(TrainConfig.SingleRunKeys)], renames: null);

    public AblationConfig Validate()
    {
        Grid.Validate();
        return Settings.Validate(this);
    }
}
