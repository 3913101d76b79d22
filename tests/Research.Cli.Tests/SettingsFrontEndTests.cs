using System.CommandLine;
using Research.Core.Settings;
using Research.Experiments.Config;

namespace Research.Cli.Tests;

/// <summary>
/// Every setting the layers declare is reachable from both front ends with the same default: as an
/// option of each command that takes it, and as a key of its place in an experiment file.
/// </summary>
public class SettingsFrontEndTests
{
    private static readonly string Repo = FindRepo();

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Research.sln not found above the test binaries");
    }

    private static Command Find(RootCommand root, string path)
    {
        Command cmd = root;
        foreach (var word in path.Split(' ')) cmd = cmd.Subcommands.Single(c => c.Name == word);
        return cmd;
    }

    /// <summary>What the command uses when the option is not given.</summary>
    private static object? CliDefault(RootCommand root, string path, Option option)
    {
        var parse = root.Parse(path.Split(' '));
        return option switch
        {
            Option<int> o => parse.GetValue(o),
            Option<int?> o => parse.GetValue(o),
            Option<double> o => parse.GetValue(o),
            Option<double?> o => parse.GetValue(o),
            Option<bool> o => parse.GetValue(o),
            Option<string> o => parse.GetValue(o),
            _ => throw new InvalidOperationException($"{option.Name}: unexpected option type {option.GetType().Name}"),
        };
    }

    [Fact]
    public void EverySettingIsAnOptionOfItsCommandsWithTheSettingsDefault()
    {
        var root = Cli.Build();
        int checkedOptions = 0;
        foreach (var section in SettingsCatalog.Sections)
            foreach (var path in section.Commands)
            {
                var cmd = Find(root, path);
                var except = section.Except.GetValueOrDefault(path) ?? [];
                foreach (var s in section.Settings.Where(s => !except.Contains(s.Key)))
                {
                    var option = cmd.Options.SingleOrDefault(o => o.Name == s.CliOption);
                    Assert.True(option is not null, $"`research {path}` has no {s.CliOption} for {section.Title}.{s.Key}");
                    var value = CliDefault(root, path, option!);
                    object? expected = s.Kind switch
                    {
                        SettingKind.Flag => false, // --name off by default, or --no-name for a setting that is on
                        SettingKind.IntegerList or SettingKind.NumberList => s.Default is null ? null : Setting.Show(s.Default),
                        _ => s.Default,
                    };
                    Assert.True(Equals(expected, value), $"`research {path} {s.CliOption}`: default {value ?? "none"}, the setting's is {expected ?? "none"}");
                    if (s.Kind == SettingKind.Flag) Assert.Equal(s.Default is true, s.CliOption.StartsWith("--no-", StringComparison.Ordinal));
                    checkedOptions++;
                }
            }
        Assert.True(checkedOptions > 100, $"only {checkedOptions} options checked");
    }

    [Fact]
    public void EverySettingIsAKeyOfItsPlaceInTheExperimentFile()
    {
        foreach (var section in SettingsCatalog.Sections.Where(s => s.InExperimentFile))
            foreach (var s in section.Settings)
            {
                var key = section.SubMapping.TryGetValue(s.Key, out var parent) ? parent : s.Key;
                Assert.True(section.FileKeys.Contains(key), $"{section.Place}: no key {key} for {section.Title}.{s.Key}");
                if (parent is not null) Assert.Contains(s.Key, ExperimentFile.CoefficientKeys);
            }
    }

    /// <summary>A minimal experiment with every stage written with nothing set: each stage's record must be its set's defaults.</summary>
    [Fact]
    public void AStageWithNothingSetHasTheSettingsDefaults()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var space = Path.Combine(Repo, "search-spaces", "quick.yaml");
        var path = Path.Combine(dir, "exp.yaml");
        File.WriteAllText(path, $"""
            name: defaults
            dataset: {"{"}name: synthetic{"}"}
            stages:
              darts: {"{"}space: {space}{"}"}
              random: {"{"}space: {space}{"}"}
              grid: {"{"}base: mobilenet_v2{"}"}
              ablation: {"{"}base: mobilenet_v2{"}"}
              scale: {"{"}base: mobilenet_v2{"}"}
              train: {"{"}baselines: [{"{"}model: mobilenet_v2{"}"}]{"}"}
            """);
        var c = ExperimentFile.Load(path);
        void Same<T>(SettingSet<T> set, T actual, string where, params string[] except)
        {
            foreach (var ((key, expected), (_, got)) in set.Values(set.Defaults).Zip(set.Values(actual)))
                if (!except.Contains(key)) Assert.True(Setting.Show(expected) == Setting.Show(got), $"{where}.{key}: {Setting.Show(got)}, default {Setting.Show(expected)}");
        }
        Same(Research.Training.ExecutionConfig.Settings, c.Execution, "top level");
        Same(Research.Training.Data.DataConfig.Settings, c.Dataset!, "dataset", "name");
        Same(Research.Search.Darts.DartsRunConfig.Settings, c.Stages.Darts!.Search, "stages.darts");
        Same(Research.Search.Baseline.RandomSearchConfig.Settings, c.Stages.Random!.Search, "stages.random");
        Same(Research.Search.Grid.GridSearchConfig.Settings, c.Stages.Grid!.Search, "stages.grid");
        Same(Research.Search.Ablation.AblationConfig.Settings, c.Stages.Ablation!.Search, "stages.ablation");
        Same(Research.Models.Scaling.FamilyConfig.Settings, c.Stages.Scale!.Family, "stages.scale");
        Same(Research.Training.TrainConfig.Settings, c.Stages.Train!.Recipe, "stages.train");
        Same(Research.Models.Networks.ModelOverrides.Settings, c.Stages.Train.Baselines[0].Overrides, "stages.train.baselines[0]");
        Assert.True(c.Stages.Scale.CoefficientsFromGrid);
    }

    /// <summary>experiments/README.md's key tables are the catalog's, so the documentation cannot drift from the code.</summary>
    [Fact]
    public void TheExperimentReadmeKeyTablesAreTheCatalogs()
    {
        var readme = File.ReadAllText(Path.Combine(Repo, "experiments", "README.md"));
        foreach (var section in SettingsCatalog.Sections.Where(s => s.InExperimentFile))
            Assert.True(readme.Contains(SettingsCatalog.Markdown(section)),
                $"experiments/README.md: the table of '{section.Title}' differs from the code; paste `research settings --markdown`'s");
    }

    // One setting from each layer, through each front end.

    [Fact]
    public void ATrainingSettingReachesTheTrainerFromTheCli()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "run");
        var (code, _, err) = CliRunner.Run("train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--small-input", "--dataset", "synthetic",
            "--subset", "64", "--epochs", "1", "--batch", "32", "--label-smoothing", "0.02", "--no-flip", "--out", dir);
        Assert.True(code == 0, err);
        var json = File.ReadAllText(Path.Combine(dir, "train.json"));
        Assert.Contains("\"LabelSmoothing\": 0.02", json);
        Assert.Contains("\"HorizontalFlip\": false", json);
        var (bad, _, badErr) = CliRunner.Run("train", "--model", "mobilenet_v3_small", "--dataset", "synthetic", "--label-smoothing", "1", "--out", dir + "-bad");
        Assert.Equal(ExitCodes.BadInput, bad);
        Assert.Contains("--label-smoothing 1: must be a number in [0, 1)", badErr);
        Assert.False(Directory.Exists(dir + "-bad"));
    }

    [Fact]
    public void ASearchSettingIsReadFromTheExperimentFileAndCheckedLikeTheCli()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var space = Path.Combine(Repo, "search-spaces", "quick.yaml");
        var ok = ExperimentFile.Parse($"name: a\ndataset: {{name: synthetic}}\nstages:\n  darts: {{space: {space}, memory_format: channels_last, random_baseline: 3}}\n", "e.yaml", dir);
        Assert.Equal("channels_last", ok.Stages.Darts!.Search.Search.Recipe.MemoryFormat);
        Assert.Equal(3, ok.Stages.Darts.Search.RandomBaseline);
        var e = Assert.Throws<ExperimentConfigException>(() =>
            ExperimentFile.Parse($"name: a\ndataset: {{name: synthetic}}\nstages:\n  darts: {{space: {space}, train_portion: 1}}\n", "e.yaml", dir));
        Assert.Equal("e.yaml:4: stages.darts.train_portion: 1 is out of range: must be a number in (0, 1)", Assert.Single(e.Errors));
        var (code, _, err) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--train-portion", "1", "--out", Path.Combine(dir, "o"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--train-portion 1: must be a number in (0, 1)", err);
    }

    [Fact]
    public void AModelSettingMeansTheSameInBothFrontEnds()
    {
        var (code, output, err) = CliRunner.Run("models", "show", "mobilenet_v2", "--width-mult", "0.5", "--classes", "7", "--format", "json");
        Assert.True(code == 0, err);
        Assert.Contains("\"classes\": 7", output);
        var dir = Directory.CreateTempSubdirectory().FullName;
        var c = ExperimentFile.Parse("name: a\ndataset: {name: synthetic}\nstages:\n  train: {baselines: [{model: mobilenet_v2, width_mult: 0.5, classes: 12}]}\n", "e.yaml", dir);
        Assert.Equal((0.5, 12), (c.Stages.Train!.Baselines[0].Overrides.WidthMult!.Value, c.Stages.Train.Baselines[0].Overrides.Classes!.Value));
        var e = Assert.Throws<ExperimentConfigException>(() =>
            ExperimentFile.Parse("name: a\ndataset: {name: synthetic}\nstages:\n  train: {baselines: [{model: mobilenet_v2, width_mult: 11}]}\n", "e.yaml", dir));
        Assert.Equal("e.yaml:4: stages.train.baselines[0].width_mult: 11 is out of range: must be a number in (0, 10]", Assert.Single(e.Errors));
        var (bad, _, badErr) = CliRunner.Run("models", "show", "mobilenet_v2", "--width-mult", "11");
        Assert.Equal(ExitCodes.BadInput, bad);
        Assert.Contains("--width-mult 11: must be a number in (0, 10]", badErr);
    }
}
