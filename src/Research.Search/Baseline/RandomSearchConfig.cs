using Research.Core.Settings;
using Research.Search.Schedule;
using Research.Search.Screening;

namespace Research.Search.Baseline;

/// <summary>
/// `research search random`: how many genotypes to sample, how long each trains, an optional time
/// budget, and the weight recipe it shares with the DARTS search (<see cref="CellSearchRecipe"/>:
/// batch, learning rate, split, augmentation, layout), so a baseline and a search see the same training.
/// </summary>
public sealed record RandomSearchConfig : ISettingsRecord<RandomSearchConfig>
{
    public int Count { get; init; } = 10;
    public int Epochs { get; init; } = 1;
    /// <summary>Stop sampling once another candidate of average cost would exceed this much training time (null: no budget).</summary>
    public double? BudgetMinutes { get; init; }
    public CellSearchRecipe Recipe { get; init; } = new();
    /// <summary>Full, or successive halving over the sampled genotypes.</summary>
    public SearchSchedule Schedule { get; init; } = new();
    /// <summary>Before training: the latency budget and the zero-cost prefilter.</summary>
    public ScreeningConfig Screening { get; init; } = new();

    public static SettingSet<RandomSearchConfig> Settings { get; } = new SettingSet<RandomSearchConfig>(new RandomSearchConfig(), "random search")
        .Integer("count", "genotypes to sample (at most, with budget_minutes)", r => r.Count, (r, v) => r with { Count = v }, min: 1)
        .Integer("epochs", "epochs each genotype trains", r => r.Epochs, (r, v) => r with { Epochs = v }, min: 1)
        .OptionalNumber("budget_minutes", "stop sampling once another candidate of average cost would exceed this much training time", "no budget",
            r => r.BudgetMinutes, (r, v) => r with { BudgetMinutes = v }, new SettingRange(0, MinExclusive: true))
        .Include(CellSearchRecipe.Settings, r => r.Recipe, (r, v) => r with { Recipe = v }, "batch", "lr", "train_portion", "crop_padding", "flip", "memory_format")
        .Include(SearchSchedule.Settings, r => r.Schedule, (r, v) => r with { Schedule = v }, [.. SearchSchedule.Settings.Keys], renames: null)
        .Include(ScreeningConfig.Settings, r => r.Screening, (r, v) => r with { Screening = v })
        .Rule(r => r.Schedule.CheckBudget(r.Epochs))
        .Rule(r => !(r.BudgetMinutes is not null && r.Schedule.IsHalving) ? null
            : new SettingProblem("budget_minutes", "a time budget", "none with schedule halving") { Explanation = "halving sets the budget by rungs; give count instead" });

    public RandomSearchConfig Validate() => Settings.Validate(this);

    /// <summary>What each candidate trains with: the cell searches' weight recipe for <see cref="Epochs"/> epochs.</summary>
    public TrainConfig CandidateRecipe => Recipe.ToTrainConfig(Epochs);

    /// <summary>The budget in seconds (null: none).</summary>
    public double? BudgetSeconds => BudgetMinutes * 60;
}
