using Research.Training;
namespace Research.Experiments.Tests;

public class ConfigValidationTests
{
    /// <summary>The errors for a file in the workspace, named relative to it (exp.yaml:LINE: ...).</summary>
    private static ExperimentConfigException Invalid(Workspace w, string yaml)
    {
        var path = w.Write("exp.yaml", yaml);
        var e = Assert.Throws<ExperimentConfigException>(() => ExperimentFile.Load(path));
        Assert.All(e.Errors, x => Assert.StartsWith(path + ":", x)); // the file as given
        return new ExperimentConfigException("exp.yaml", e.Errors.Select(x => x[(w.Dir.Length + 1)..]).ToList());
    }

    private const string Minimal = """
        name: ok
        dataset: {name: synthetic}
        stages:
          scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
        """;

    [Fact]
    public void AValidFileLoadsWithDefaultsFilledIn()
    {
        using var w = new Workspace();
        var c = ExperimentFile.Load(w.Write("exp.yaml", Minimal));
        Assert.Equal("ok", c.Name);
        Assert.Equal("auto", c.Device);
        Assert.Equal(0.1, c.Dataset!.Validation);
        Assert.Equal(8, c.Stages.Scale!.Family.ResolutionDivisor);
        Assert.Equal([0.0, 1.0], c.Stages.Scale.Family.Phi!);
        Assert.Null(c.Stages.Grid);
        Assert.Contains("tiny.yaml", c.Inputs.Keys);

        // A stage with nothing under it is there, with its defaults.
        var bare = ExperimentFile.Load(w.Write("bare.yaml", Minimal + "\n  report:\n"));
        Assert.NotNull(bare.Stages.Report);
        Assert.Null(bare.Stages.Report!.Title);
    }

    [Fact]
    public void AnUnknownKeyNamesFileLineKeyAndTheAllowedKeys()
    {
        using var w = new Workspace();
        var e = Invalid(w, """
            name: ok
            dataset: {name: synthetic}
            stages:
              grid:
                base: tiny.yaml
                stepp: 0.1
            """);
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("exp.yaml:6: stages.grid.stepp: unknown key (allowed: from_run, base, step,", error);
    }

    [Fact]
    public void AWrongTypeNamesTheKeyAndWhatItMustBe()
    {
        using var w = new Workspace();
        var e = Invalid(w, Minimal.Replace("name: ok", "name: ok\nseed: abc"));
        Assert.Equal("exp.yaml:2: seed: must be an integer >= 0, got 'abc'", Assert.Single(e.Errors));
    }

    [Fact]
    public void AnOutOfRangeValueNamesTheRange()
    {
        using var w = new Workspace();
        var e = Invalid(w, Minimal.Replace("{name: synthetic}", "{name: synthetic, validation: 1.5}"));
        Assert.Equal("exp.yaml:2: dataset.validation: 1.5 is out of range: must be a number in (0, 1)", Assert.Single(e.Errors));
    }

    [Fact]
    public void AnUnknownChoiceListsTheAllowedValues()
    {
        using var w = new Workspace();
        var e = Invalid(w, Minimal.Replace("{name: synthetic}", "{name: mnist}"));
        Assert.Equal("exp.yaml:2: dataset.name: must be one of the allowed values, got 'mnist' (allowed: fashion-mnist, cifar10, cifar100, synthetic, folder, csv)",
            Assert.Single(e.Errors));
    }

    [Fact]
    public void TheMemoryFormatIsAChoiceThatReachesTheTrainer()
    {
        using var w = new Workspace();
        var ok = ExperimentFile.Load(w.Write("exp.yaml", Minimal + "\n  train: {memory_format: contiguous}\n"));
        Assert.Equal("contiguous", ok.Stages.Train!.Recipe.MemoryFormat);
        Assert.Equal("contiguous", new TrainConfig().MemoryFormat);
        var e = Invalid(w, Minimal + "\n  train: {memory_format: nhwc}\n");
        Assert.Equal("exp.yaml:5: stages.train.memory_format: must be one of the allowed values, got 'nhwc' (allowed: contiguous, channels_last, auto)",
            Assert.Single(e.Errors));
    }

    [Fact]
    public void AnAblationArmOutsideItsMacsToleranceIsRefusedBeforeAnythingRuns()
    {
        using var w = new Workspace();
        const string head = """
            name: arms
            dataset: {name: fashion-mnist}
            stages:
              ablation:
                base: {model: mobilenet_v2, width_mult: 0.5, small_input: true, resolution: 32}
                targets: [2]

            """;
        var e = Invalid(w, head + "    resolution_divisor: 8\n");
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("exp.yaml:5: stages.ablation.macs_tolerance: 1 arm(s) of mobilenet_v2 land further than 5 % from their MACs target: resolution-x2 reaches 2.248x", error);
        // Resolutions on multiples of 4 bring every arm within 5%.
        Assert.Equal(4, ExperimentFile.Load(w.Write("exp.yaml", head + "    resolution_divisor: 4\n")).Stages.Ablation!.Search.ResolutionDivisor);
    }

    [Fact]
    public void AMissingFileIsReportedWithItsPath()
    {
        using var w = new Workspace();
        var e = Invalid(w, Minimal.Replace("base: tiny.yaml", "base: specs/missing.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("exp.yaml:4: stages.scale.base: spec file not found: ", error);
        Assert.EndsWith(Path.Combine("specs", "missing.yaml"), error);
    }

    [Fact]
    public void ALatencyTableMustBeThereAndBeATable()
    {
        using var w = new Workspace();
        var e = Invalid(w, Minimal + "\n  report: {latency_table: tables/missing.csv}\n");
        Assert.StartsWith("exp.yaml:5: stages.report.latency_table: latency table not found: ", Assert.Single(e.Errors));
        w.Write("notatable.csv", "a,b\n1,2\n");
        e = Invalid(w, Minimal + "\n  report: {latency_table: notatable.csv}\n");
        Assert.Contains("no '# engine: ...' line", Assert.Single(e.Errors));
        w.Write("t.csv", "# engine: libtorch\nop,structure,in_channels,height,width,ms\n");
        var ok = ExperimentFile.Load(w.Write("exp.yaml", Minimal + "\n  report: {latency_table: t.csv}\n"));
        Assert.Equal("t.csv", ok.Stages.Report!.Latency.Table);
        Assert.Contains("t.csv", ok.Inputs.Keys);
    }

    [Fact]
    public void EveryMistakeIsReportedAtOnceInLineOrderAndNothingIsCreated()
    {
        using var w = new Workspace();
        var runs = Path.Combine(w.Dir, "runs");
        var path = w.Write("exp.yaml", """
            name: bad name
            seed: -1
            devise: cpu
            dataset: {name: synthetic, subset: 0}
            stages:
              grid:
                base: nosuch.yaml
                step: 2
                objective: best
              scale:
                coefficients: {alpha: 0.5, beta: 1.1, gamma: 1.1}
              train:
                optimizer: adam
                baselines: [resnet50]
            """);
        var e = Invalid(w, File.ReadAllText(path));
        string[] expected =
        [
            "exp.yaml:1: name:", "exp.yaml:2: seed:", "exp.yaml:3: devise: unknown key", "exp.yaml:4: dataset.subset:", "exp.yaml:7: stages.grid.base: spec file not found",
            "exp.yaml:8: stages.grid.step: 2 is out of range", "exp.yaml:9: stages.grid.objective:", "exp.yaml:11: stages.scale.coefficients.alpha: 0.5 is out of range",
            "exp.yaml:13: stages.train.optimizer:", "exp.yaml:14: stages.train.baselines[0]: unknown model 'resnet50'",
        ];
        Assert.Equal(expected.Length, e.Errors.Count);
        for (int i = 0; i < expected.Length; i++) Assert.StartsWith(expected[i], e.Errors[i]);
        Assert.Contains("(10 errors)", e.Message);
        Assert.IsAssignableFrom<ArgumentException>(e);

        // Through the CLI: bad input (exit 2), every error on stderr, and no run directory.
        var (code, _, err) = CliRunner.Run("run", path, "--out", runs);
        Assert.Equal(Research.Cli.ExitCodes.BadInput, code);
        Assert.Contains("exp.yaml:14: stages.train.baselines[0]", err);
        Assert.False(Directory.Exists(runs));
    }

    [Fact]
    public void KernelsAreOnOrOff()
    {
        using var w = new Workspace();
        var e = Invalid(w, """
            name: kernels
            kernels: fused
            dataset: {name: synthetic}
            stages:
              train: {baselines: [mobilenet_v2]}
            """);
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("exp.yaml:2: kernels:", error);
        Assert.Contains("on, off", error);
    }

    [Fact]
    public void StagesThatReferToMissingStagesAreErrors()
    {
        using var w = new Workspace();
        var e = Invalid(w, """
            name: refs
            dataset: {name: synthetic}
            stages:
              scale:
                base: {from: darts}
                coefficients: {from: grid}
              train:
                members: [0]
            """);
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:5: stages.scale.base: from: darts needs a darts stage"));
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:6: stages.scale.coefficients: from: grid needs a grid stage"));
    }

    [Fact]
    public void TrainedMembersMustBeInTheFamily()
    {
        using var w = new Workspace();
        var e = Invalid(w, """
            name: members
            dataset: {name: synthetic}
            stages:
              scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
              train:
                members: [1, 3]
            """);
        Assert.Equal("exp.yaml:6: stages.train.members: the family has no member at phi 3 (allowed: 0, 1, scale.phi)", Assert.Single(e.Errors));
    }

    [Fact]
    public void AStageThatNeedsDataNeedsADataset()
    {
        using var w = new Workspace();
        var e = Invalid(w, """
            name: nodata
            stages:
              grid: {base: tiny.yaml}
            """);
        Assert.Equal("exp.yaml:3: stages.grid: needs a dataset: add dataset: {name: ...} at the top level", Assert.Single(e.Errors));
    }

    [Fact]
    public void FromRunMustHoldTheStagesOutputAndStandAlone()
    {
        using var w = new Workspace();
        Directory.CreateDirectory(Path.Combine(w.Dir, "old", "grid"));
        var e = Invalid(w, """
            name: imported
            dataset: {name: synthetic}
            stages:
              grid: {from_run: old/grid, step: 0.1}
              scale: {base: tiny.yaml, phi: [0]}
            """);
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:4: stages.grid.from_run: ") && x.EndsWith("holds no best.json (not a finished grid stage)"));
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:4: stages.grid.step: not allowed with from_run"));
    }

    [Fact]
    public void TheDartsStageIsValidatedAndCarried()
    {
        using var w = new Workspace();
        w.Write("space.yaml", File.ReadAllText(Path.Combine(Research.Search.Tests.TestPaths.Repo, "search-spaces", "quick.yaml")));
        var c = ExperimentFile.Load(w.Write("exp.yaml", """
            name: darts
            dataset: {name: synthetic}
            stages:
              darts:
                space: space.yaml
                epochs: 3
                order: second
                partial_channels: 4
                batch: 32
                subset: 500
                arch_lr: 0.003
                skip_cap: 1
              grid: {base: {from: darts}, max_candidates: 1}
            """));
        var d = c.Stages.Darts!;
        var search = d.Search.Search;
        Assert.Equal(("space.yaml", 3, "second", 4, 32, 500), (d.Space, search.Epochs, search.Order, search.PartialChannels, search.Recipe.BatchSize, d.Subset!.Value));
        Assert.Equal((0.003, 1), (search.ArchLearningRate, search.SkipCap));
        Assert.Equal("darts", c.Stages.Grid!.Base!.From);
        Assert.Contains("space.yaml", c.Inputs.Keys);

        var e = Invalid(w, """
            name: darts
            dataset: {name: synthetic}
            stages:
              darts: {space: space.yaml, order: third, partial_channels: 0, arch_lr: -1, options: {a: 1}}
            """);
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:4: stages.darts.order: must be one of the allowed values, got 'third' (allowed: first, second)"));
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:4: stages.darts.partial_channels: 0 is out of range"));
        Assert.Contains(e.Errors, x => x.StartsWith("exp.yaml:4: stages.darts.arch_lr: -1 is out of range"));
        Assert.Contains(e.Errors, x => x.Contains("stages.darts") && x.Contains("options"));
    }

    [Fact]
    public void InvalidYamlIsOneErrorWithItsLine()
    {
        using var w = new Workspace();
        var e = Invalid(w, "name: x\nstages: {grid: [}\n");
        Assert.StartsWith("exp.yaml:2: invalid YAML:", Assert.Single(e.Errors));
    }

    [Fact]
    public void JsonIsAcceptedAndMeansTheSameAsYaml()
    {
        using var w = new Workspace();
        var yaml = ExperimentFile.Load(w.Write("exp.yaml", Minimal));
        var json = ExperimentFile.Load(w.Write("exp.json", """
            {
              "name": "ok",
              "dataset": {"name": "synthetic"},
              "stages": {"scale": {"base": "tiny.yaml", "coefficients": {"alpha": 1.2, "beta": 1.1, "gamma": 1.15}, "phi": [0, 1]}}
            }
            """));
        Assert.Equal(yaml.Hash, json.Hash);
        var e = Invalid(w, "{\n  \"name\": \"ok\",\n  \"seed\": \"3\",\n  \"stages\": {\"report\": {}}\n}\n");
        Assert.StartsWith("exp.yaml:3: seed: must be an integer", Assert.Single(e.Errors)); // a quoted number is a string
    }
}
