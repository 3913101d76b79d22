using Research.Core.Settings;
using Research.Search.Grid;
using Research.Training;

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
    /// <summary>Seeds, recipe (one epoch by default) and held-out fraction, as the grid search has them.</summary>
    public GridSearchConfig Grid { get; init; } = new();

    public Coefficients Coefficients => new(Alpha, Beta, Gamma);

    public static SettingSet<AblationConfig> Settings { get; } = new SettingSet<AblationConfig>(new AblationConfig(), "scaling ablation")
        .NumberList("targets", "MACs ratios to match, e.g. 2,4", r => r.Targets, (r, v) => r with { Targets = v }, new SettingRange(1, MinExclusive: true))
        .Number("alpha", "the compound member's depth coefficient α", r => r.Alpha, (r, v) => r with { Alpha = v }, new SettingRange(1))
        .Number("beta", "the compound member's width coefficient β", r => r.Beta, (r, v) => r with { Beta = v }, new SettingRange(1))
        .Number("gamma", "the compound member's resolution coefficient γ", r => r.Gamma, (r, v) => r with { Gamma = v }, new SettingRange(1))
        .Include(GridSearchConfig.Settings, r => r.Grid, (r, v) => r with { Grid = v }, ["seeds", .. TrainConfig.Settings.Keys.Except(TrainConfig.SingleRunKeys)], renames: null);

    public AblationConfig Validate()
    {
        Grid.Validate();
        return Settings.Validate(this);
    }
}
