using Research.Core.Settings;
using Research.Search.Baseline;

namespace Research.Search.Darts;

/// <summary>A DARTS search and, optionally, a random baseline of N genotypes trained beside it on the same split (`research search darts`, the darts stage).</summary>
public sealed record DartsRunConfig : ISettingsRecord<DartsRunConfig>
{
    public DartsConfig Search { get; init; } = new();
    /// <summary>Random genotypes to train after the search (0: none).</summary>
    public int RandomBaseline { get; init; }
    public int RandomEpochs { get; init; } = 1;

    public static SettingSet<DartsRunConfig> Settings { get; } = new SettingSet<DartsRunConfig>(new DartsRunConfig(), "DARTS search with a random baseline")
        .Include(DartsConfig.Settings, r => r.Search, (r, v) => r with { Search = v })
        .Integer("random_baseline", "also train N random genotypes from the space (same split) and keep the best (0: none)", r => r.RandomBaseline,
            (r, v) => r with { RandomBaseline = v }, min: 0)
        .Integer("random_epochs", "epochs each random genotype trains", r => r.RandomEpochs, (r, v) => r with { RandomEpochs = v }, min: 1);

    public DartsRunConfig Validate() => Settings.Validate(this);

    /// <summary>The random baseline of a search (seeded as <paramref name="search"/>): its genotypes train with the search's own weight recipe.</summary>
    public RandomSearchConfig RandomBaselineOf(DartsConfig search) => new() { Count = RandomBaseline, Epochs = RandomEpochs, Recipe = search.Recipe };
}
