using Research.Core.Settings;
using Research.Training.Data;
using Research.Search.Schedule;
using Research.Search.Screening;

namespace Research.Search.Grid;

/// <summary>How to search (α, β, γ) and how to judge a candidate.</summary>
public sealed record GridSearchConfig : ISettingsRecord<GridSearchConfig>
{
    public double Step { get; init; } = 0.05;
    public double Tolerance { get; init; } = 0.05;
    /// <summary>α·β²·γ² sought (EfficientNet: 2, doubling FLOPs per step of φ).</summary>
    public double Target { get; init; } = 2.0;
    public int[] Seeds { get; init; } = [1];
    /// <summary>accuracy, or accuracy-macs: accuracy × (MACs / (target × base MACs))^w (MnasNet, EfficientNet).</summary>
    public string Objective { get; init; } = "accuracy";
    public double MacsWeight { get; init; } = -0.07;
    /// <summary>Evaluate at most this many candidates, spread evenly over the grid (null: all).</summary>
    public int? MaxCandidates { get; init; }
    /// <summary>Fit a quadratic response surface and also evaluate its constrained optimum.</summary>
    public bool Refine { get; init; }
    /// <summary>
    /// Fraction of the training images held out to score candidates (the test set is never used);
    /// the front ends set it from the dataset's <c>validation</c> setting (<see cref="DataConfig"/>).
    /// </summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>The training budget every candidate gets (under halving: the survivors of the last rung).</summary>
    public TrainConfig Train { get; init; } = new() { Epochs = 1 };
    /// <summary>Full, or successive halving over the candidates.</summary>
    public SearchSchedule Schedule { get; init; } = new();
    /// <summary>Before training: the latency budget and the zero-cost prefilter.</summary>
    public ScreeningConfig Screening { get; init; } = new();

    public static readonly string[] Objectives = ["accuracy", "accuracy-macs"];

    /// <summary>Every setting of the grid search (its recipe's included, one epoch by default): `research search grid` and the grid stage.</summary>
    public static SettingSet<GridSearchConfig> Settings { get; } = new SettingSet<GridSearchConfig>(new GridSearchConfig(), "grid search")
        .Number("step", "grid step for α, β, γ (all >= 1)", r => r.Step, (r, v) => r with { Step = v }, new SettingRange(0, 1, MinExclusive: true))
        .Number("tolerance", "keep candidates with |α·β²·γ² − target| <= this", r => r.Tolerance, (r, v) => r with { Tolerance = v }, new SettingRange(0))
        .Number("target", "α·β²·γ² sought (2: each step of φ doubles the MACs)", r => r.Target, (r, v) => r with { Target = v },
            new SettingRange(1, MinExclusive: true))
        .IntegerList("seeds", "training seeds per candidate, e.g. 1,2,3", r => r.Seeds, (r, v) => r with { Seeds = v }, min: 0, distinct: true)
        .Choice("objective", "accuracy, or accuracy-macs: accuracy × (MACs/target)^w", Objectives, r => r.Objective, (r, v) => r with { Objective = v })
        .Number("macs_weight", "w in accuracy × (MACs/target)^w", r => r.MacsWeight, (r, v) => r with { MacsWeight = v })
        .OptionalInteger("max_candidates", "evaluate at most N candidates spread over the grid", "all", r => r.MaxCandidates,
            (r, v) => r with { MaxCandidates = v }, min: 1)
        .Flag("refine", "fit a quadratic response surface and evaluate its constrained optimum", r => r.Refine, (r, v) => r with { Refine = v })
        .Include(SearchSchedule.Settings, r => r.Schedule, (r, v) => r with { Schedule = v }, [.. SearchSchedule.Settings.Keys], renames: null)
        .Include(ScreeningConfig.Settings, r => r.Screening, (r, v) => r with { Screening = v })
        // Every candidate trains from scratch: a pretrained start does not fit scaled shapes.
        .Include(TrainConfig.Settings, r => r.Train, (r, v) => r with { Train = v }, [.. TrainConfig.Settings.Keys.Except(TrainConfig.SingleRunKeys)], renames: null)
        .Rule(r => r.Schedule.CheckBudget(r.Train.Epochs))
        .Rule(r => !(r.Refine && r.Schedule.IsHalving) ? null
            : new SettingProblem("refine", "true", "false with schedule halving") { Explanation = "refine fits every candidate at one budget; halving trains them to different ones" })
        .Rule(r => r.Step is <= 0 or > 1 || r.Tolerance < 0 || r.Target <= 1 || CoefficientGrid.Candidates(r.Step, r.Tolerance, r.Target).Count > 0 ? null
            : new SettingProblem("tolerance", Numbers.RoundTrip(r.Tolerance), "wide enough to keep a candidate")
            {
                Explanation = $"no (alpha, beta, gamma) on a {Numbers.RoundTrip(r.Step)} grid has |alpha·beta²·gamma² − {Numbers.RoundTrip(r.Target)}| <= " +
                              $"{Numbers.RoundTrip(r.Tolerance)}: raise tolerance or lower step",
            });

    /// <summary>
    /// The search as it runs on a dataset: candidates are scored on its held-out fraction (its
    /// <c>validation</c> setting), and the recipe's own seed is the first of the seeds.
    /// </summary>
    public GridSearchConfig On(DataConfig dataset) => this with { ValidationFraction = dataset.Validation, Train = Train with { Seed = Seeds[0] } };

    /// <summary>This config, or an <see cref="ArgumentException"/> naming every setting that is not allowed.</summary>
    public GridSearchConfig Validate()
    {
        if (ValidationFraction is <= 0 or >= 1) throw new ArgumentException($"validation fraction {ValidationFraction} must be in (0, 1)");
        return Settings.Validate(this);
    }
}
