using Research.Models.Inference;

namespace Research.Experiments.Config;

/// <summary>
/// One setting set as the front ends show it: where its keys go in an experiment file, which
/// commands take it as options (and which of its settings a command leaves out), and the settings.
/// </summary>
public sealed record SettingsSection(string Title, string Place, IReadOnlyList<Setting> Settings, IReadOnlyList<string> Commands,
    IReadOnlyList<string> FileKeys)
{
    /// <summary>Settings a command does not take (e.g. `train` has no --validation: it holds nothing out).</summary>
    public IReadOnlyDictionary<string, string[]> Except { get; init; } = new Dictionary<string, string[]>();

    /// <summary>Keys written under a sub-mapping of <see cref="Place"/> (alpha, beta, gamma under coefficients).</summary>
    public IReadOnlyDictionary<string, string> SubMapping { get; init; } = new Dictionary<string, string>();

    /// <summary>The <see cref="Place"/> of settings that only commands take (how a finished model is run, not part of a study).</summary>
    public const string CommandLineOnly = "none (command line only)";

    public bool InExperimentFile => Place != CommandLineOnly;
}

/// <summary>
/// Every setting set the CLI and the experiment file bind to, in one list: experiments/README.md's
/// key tables and `research settings` are printed from it, and a test checks every setting is
/// reachable from both front ends with the same default.
/// </summary>
public static class SettingsCatalog
{
    private static readonly Dictionary<string, string> Coefficients = new() { ["alpha"] = "coefficients", ["beta"] = "coefficients", ["gamma"] = "coefficients" };

    public static IReadOnlyList<SettingsSection> Sections { get; } =
    [
        new("Run", "top level", [.. ExecutionConfig.Settings], ["train", "search darts", "search random", "search grid", "search ablation"], ExperimentFile.TopKeys)
        {
            Except = new Dictionary<string, string[]> { ["search grid"] = ["seed"], ["search ablation"] = ["seed"] },
        },
        new("Dataset", "dataset", [.. DataConfig.Settings], ["train", "search darts", "search random", "search grid", "search ablation"], ExperimentFile.DatasetKeys)
        {
            Except = new Dictionary<string, string[]> { ["train"] = ["validation"], ["search darts"] = ["validation"], ["search random"] = ["validation"] },
        },
        new("Model", "base, baselines", [.. ModelOverrides.Settings], ["train", "search grid", "search ablation", "scale", "models show"], ExperimentFile.ModelKeys),
        new("Training recipe", "stages.train", [.. TrainConfig.Settings], ["train"], ExperimentFile.TrainKeys),
        new("DARTS search", "stages.darts", [.. DartsRunConfig.Settings], ["search darts"], ExperimentFile.DartsKeys),
        new("Random search", "stages.random", [.. RandomSearchConfig.Settings], ["search random"], ExperimentFile.RandomKeys),
        new("Grid search", "stages.grid", [.. GridSearchConfig.Settings], ["search grid"], ExperimentFile.GridKeys),
        new("Scaling ablation", "stages.ablation", [.. AblationConfig.Settings], ["search ablation"], ExperimentFile.AblationKeys) { SubMapping = Coefficients },
        new("Compound scaling", "stages.scale", [.. FamilyConfig.Settings], ["scale"], ExperimentFile.ScaleKeys) { SubMapping = Coefficients },
        new("Report", "stages.report", [.. ReportSettings.Settings, .. Research.Models.LatencyTables.LatencyTableConfig.Settings], ["report", "scale"], ExperimentFile.ReportKeys)
        {
            Except = new Dictionary<string, string[]> { ["scale"] = ["significance"] },
        },
        new("Inference", SettingsSection.CommandLineOnly, [.. InferenceConfig.Settings], ["eval", "predict", "models show"], []),
    ];

    /// <summary>The key tables of experiments/README.md (sections <see cref="SettingsSection.InExperimentFile"/>), each between markers so a test can compare them with this catalog.</summary>
    public static string Markdown(SettingsSection section) =>
        $"<!-- settings: {section.Title} -->\n{SettingsMarkdown.Table(section.Settings)}<!-- end settings -->\n";
}
