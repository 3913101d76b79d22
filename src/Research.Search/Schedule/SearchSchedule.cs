using Research.Core.Settings;

namespace Research.Search.Schedule;

/// <summary>
/// How a search spends its training budget on its candidates: <c>full</c> trains every candidate
/// for the whole budget; <c>halving</c> (successive halving, as in Hyperband and ASHA) trains every
/// candidate for <see cref="MinEpochs"/>, keeps the best 1/<see cref="Eta"/> on the held-out split,
/// trains those η times longer from where they stopped, and so on up to the whole budget.
/// </summary>
public sealed record SearchSchedule : ISettingsRecord<SearchSchedule>
{
    public const string Full = "full";
    public const string Halving = "halving";

    public static readonly string[] Schedules = [Full, Halving];

    public string Kind { get; init; } = Full;
    /// <summary>Halving: the epochs of the first rung.</summary>
    public int MinEpochs { get; init; } = 1;
    /// <summary>Halving: the fraction kept per rung (1/η) and the growth of the budget (×η).</summary>
    public int Eta { get; init; } = 3;

    public bool IsHalving => Kind == Halving;

    public static SettingSet<SearchSchedule> Settings { get; } = new SettingSet<SearchSchedule>(new SearchSchedule(), "search schedule")
        .Choice("schedule", "full (every candidate the whole budget) or halving (successive halving: the best 1/eta go on to eta times the epochs)",
            Schedules, r => r.Kind, (r, v) => r with { Kind = v })
        .Integer("min_epochs", "halving: epochs of the first rung", r => r.MinEpochs, (r, v) => r with { MinEpochs = v }, min: 1)
        .Integer("eta", "halving: keep the best 1/eta of a rung, train them eta times longer", r => r.Eta, (r, v) => r with { Eta = v }, min: 2);

    public SearchSchedule Validate() => Settings.Validate(this);

    /// <summary>The problem with this schedule for a budget of epochs, or null (min_epochs must leave room for a second rung's choice).</summary>
    public SettingProblem? CheckBudget(int epochs) => !IsHalving || MinEpochs <= epochs ? null
        : new SettingProblem("min_epochs", MinEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture), $"at most the epochs ({epochs})");
}
