namespace Research.Experiments.Tests;

/// <summary>seeds: on the training stages and stages.report.compare: what loads, and each mistake named by its key.</summary>
public class SeedsConfigTests
{
    /// <summary>The file's errors, with the workspace's folder taken off their paths.</summary>
    internal static ExperimentConfigException Invalid(Workspace w, string yaml)
    {
        var path = w.Write("exp.yaml", yaml);
        var e = Assert.Throws<ExperimentConfigException>(() => ExperimentFile.Load(path));
        return new ExperimentConfigException("exp.yaml", e.Errors.Select(x => x[(w.Dir.Length + 1)..]).ToList());
    }

    private static string Study(string trainSeeds = "[1, 2, 3]", string compare = "[[phi1, phi0], [phi0, mobilenet_v3_small-w0.25]]") => $$"""
        name: seeds
        dataset: {name: synthetic}
        stages:
          scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
          train:
            seeds: {{trainSeeds}}
            baselines:
              - {model: mobilenet_v3_small, width_mult: 0.25}
          report:
            compare: {{compare}}
            significance: 0.01
        """;

    [Fact]
    public void SeedsAndComparisonsLoad()
    {
        using var w = new Workspace();
        var c = ExperimentFile.Load(w.Write("exp.yaml", Study()));
        Assert.Equal([1, 2, 3], c.Stages.Train!.Seeds!);
        Assert.Equal(2, c.Stages.Report!.Compare.Length);
        Assert.Equal(["phi0", "mobilenet_v3_small-w0.25"], c.Stages.Report.Compare[1]);
        Assert.Equal(0.01, c.Stages.Report.Statistics.Significance);
        var space = Path.Combine(Repo, "search-spaces", "quick.yaml");
        var s = ExperimentFile.Load(w.Write("search.yaml", $$"""
            name: searches
            dataset: {name: synthetic}
            stages:
              darts: {space: {{space}}, seeds: [3, 1]}
              random: {space: {{space}}, seeds: 5}
            """));
        Assert.Equal([3, 1], s.Stages.Darts!.Seeds!);
        Assert.Equal([5], s.Stages.Random!.Seeds!);

        // Without seeds: the experiment's seed, and the run directory's name is not changed by what the file leaves out.
        var one = ExperimentFile.Load(w.Write("one.yaml", Study().Replace("    seeds: [1, 2, 3]\n", "")));
        Assert.Null(one.Stages.Train!.Seeds);
    }

    private static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln"))) dir = dir.Parent;
            return dir!.FullName;
        }
    }

    [Fact]
    public void NoSeedsIsAnErrorNamingTheKey()
    {
        using var w = new Workspace();
        var e = Invalid(w, Study(trainSeeds: "[]"));
        Assert.Equal("exp.yaml:6: stages.train.seeds: must be a non-empty list of integers, got an empty list", Assert.Single(e.Errors));
    }

    [Fact]
    public void ARepeatedSeedIsAnErrorNamingTheKeyAndTheSeed()
    {
        using var w = new Workspace();
        var e = Invalid(w, Study(trainSeeds: "[1, 2, 1]"));
        Assert.Equal("exp.yaml:6: stages.train.seeds: must list distinct values (1 is listed twice)", Assert.Single(e.Errors));
    }

    [Fact]
    public void AComparisonOfAnArmThatIsNotThereNamesTheKeyAndTheArms()
    {
        using var w = new Workspace();
        var e = Invalid(w, Study(compare: "[[phi1, resnet18], [phi2, phi0]]"));
        Assert.Equal(
        [
            "exp.yaml:10: stages.report.compare[0][1]: 'resnet18' is not an arm of this run (arms: phi0, phi1, mobilenet_v3_small-w0.25)",
            "exp.yaml:10: stages.report.compare[1][0]: 'phi2' is not an arm of this run: no family member at phi 2 is trained (arms: phi0, phi1, mobilenet_v3_small-w0.25)",
        ], e.Errors);
        var self = Invalid(w, Study(compare: "[[phi1, phi1]]"));
        Assert.Equal("exp.yaml:10: stages.report.compare[0]: compares 'phi1' with itself", Assert.Single(self.Errors));
    }

    /// <summary>Through the CLI: exit 2, the key named, no run directory.</summary>
    [Fact]
    public void TheRunCommandRefusesBadSeedsAndComparisonsWithoutARunDirectory()
    {
        using var w = new Workspace();
        var runs = Path.Combine(w.Dir, "runs");
        foreach (var (yaml, key) in new[]
                 {
                     (Study(trainSeeds: "[]"), "stages.train.seeds"), (Study(trainSeeds: "[4, 4]"), "stages.train.seeds"),
                     (Study(compare: "[[phi1, nosuch]]"), "stages.report.compare[0][1]"),
                 })
        {
            var (code, _, err) = CliRunner.Run("run", w.Write("bad.yaml", yaml), "--out", runs);
            Assert.Equal(2, code);
            Assert.Contains($"bad.yaml:", err);
            Assert.Contains($" {key}: ", err);
            Assert.False(Directory.Exists(runs), $"{runs} was created");
        }
    }
}
