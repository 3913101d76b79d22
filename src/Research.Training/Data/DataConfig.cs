using Research.Core.Settings;

namespace Research.Training.Data;

/// <summary>Which dataset a run reads, how much of it, and how much of its training part is held out for model selection.</summary>
public sealed record DataConfig : ISettingsRecord<DataConfig>
{
    /// <summary>One of <see cref="DatasetCatalog.Names"/>.</summary>
    public string Name { get; init; } = DatasetCatalog.FashionMnistName;
    /// <summary>Where the dataset's files are (null: the dataset's usual place).</summary>
    public string? DataDir { get; init; }
    /// <summary>Keep only the first N training images (quick runs); the test part stays whole.</summary>
    public int? Subset { get; init; }
    /// <summary>Fraction of the training images held out to score candidates (grid, ablation) and, with holdout, family members.</summary>
    public double Validation { get; init; } = 0.1;

    /// <summary>The dataset settings: `--dataset`, `--data-dir`, `--subset`, `--validation`, and the experiment file's <c>dataset:</c> keys.</summary>
    public static SettingSet<DataConfig> Settings { get; } = new SettingSet<DataConfig>(new DataConfig(), "dataset")
        .Choice("name", "fashion-mnist (Debian's dataset-fashion-mnist), cifar10, cifar100 (binary files in data_dir) or synthetic", DatasetCatalog.Names,
            r => r.Name, (r, v) => r with { Name = v }, option: "--dataset")
        .OptionalText("data_dir", "where the dataset's files are", "the dataset's usual place", r => r.DataDir, (r, v) => r with { DataDir = v },
            valueText: "a directory")
        .OptionalInteger("subset", "use only the first N training images (quick runs)", "all", r => r.Subset, (r, v) => r with { Subset = v }, min: 2)
        .Number("validation", "fraction of the training images held out to score candidates", r => r.Validation, (r, v) => r with { Validation = v },
            new SettingRange(0, 1, MinExclusive: true, MaxExclusive: true));

    public DataConfig Validate() => Settings.Validate(this);

    /// <summary>The dataset, with <see cref="Subset"/> applied to its training part.</summary>
    public DatasetPair Load(int seed) => DatasetCatalog.Load(Name, DataDir, Subset, seed);

    /// <summary>The training part cut into (train, held out) by <see cref="Validation"/> (<see cref="DatasetSplit.HoldOut"/>).</summary>
    public DatasetPair HoldOut(DatasetPair data) => DatasetSplit.HoldOut(data, Validation);
}
