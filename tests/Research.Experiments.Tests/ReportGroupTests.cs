using System.Text.Json.Nodes;
using Research.Experiments.Reports;

namespace Research.Experiments.Tests;

/// <summary>
/// stages.report.groups: a group's statistics are over its arms' means (its replicates), compare may name groups,
/// summary.md shows them, and each mistake in the file is named by its key and line. The expected figures are
/// computed by hand: Student's t with 2 and 4 degrees of freedom has a closed-form quantile and CDF
/// (ν = 2: t_p = (2p − 1)·√(2 / (4p(1 − p))), so t(0.975, 2) = 4.30265; ν = 4: F(t) = ½ + ⅜·u·(1 − t²/(12(1 + t²/4))),
/// u = t / √(1 + t²/4)).
/// </summary>
public class ReportGroupTests
{
    // Each arm's test top-1 per seed; the arms ran different numbers of seeds, so pooling the seeds would give other figures.
    private static readonly (string Arm, double[] Seeds)[] Arms =
    [
        ("darts-1", [90, 91, 92, 93, 94]), // mean 92
        ("darts-2", [88]),                 // mean 88
        ("darts-3", [89, 91]),             // mean 90
        ("random-1", [85, 87]),            // mean 86
        ("random-2", [84]),                // mean 84
        ("random-3", [87, 88, 89]),        // mean 88
    ];

    /// <summary>A run directory written by hand: each arm is a baseline (a retrained search winner), grouped by method.</summary>
    private static string Run(Workspace w)
    {
        var run = Path.Combine(w.Dir, "run");
        Directory.CreateDirectory(Path.Combine(run, "train"));
        var config = new JsonObject
        {
            ["name"] = "groups",
            ["stages"] = new JsonObject
            {
                ["train"] = new JsonObject
                {
                    ["recipe"] = new JsonObject { ["epochs"] = 5 },
                    ["baselines"] = new JsonArray(Arms.Select(a => (JsonNode?)new JsonObject { ["model"] = $"{a.Arm}.json" }).ToArray()),
                },
                ["report"] = new JsonObject
                {
                    ["compare"] = new JsonArray(new JsonArray("darts", "random"), new JsonArray("darts", "random-1.json"), new JsonArray("half", "random")),
                    ["groups"] = new JsonObject
                    {
                        ["darts"] = new JsonArray("darts-1.json", "darts-2.json", "darts-3.json"),
                        ["random"] = new JsonArray("random-1.json", "random-2.json", "random-3.json"),
                        ["half"] = new JsonArray("darts-1.json", "darts-4.json"),
                    },
                    ["statistics"] = new JsonObject { ["significance"] = 0.05 },
                },
            },
        };
        File.WriteAllText(Path.Combine(run, "manifest.json"), new JsonObject { ["name"] = "groups", ["hash"] = "00000000", ["config"] = config }.ToJsonString());
        var lines = new List<string> { "kind,name,phi,seed,params,macs,resolution,val_top1,test_top1,images_per_s,seconds" };
        for (int i = 0; i < Arms.Length; i++)
            for (int s = 0; s < Arms[i].Seeds.Length; s++)
                lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"baseline,{Arms[i].Arm},,{s + 1},{100_000 + 10_000 * i},{2_000_000 + 1_000_000 * i},28,,{Arms[i].Seeds[s]},10,1"));
        File.WriteAllText(Path.Combine(run, "train", "family.csv"), string.Join("\n", lines) + "\n");
        return run;
    }

    [Fact]
    public void AGroupIsSummarisedOverItsArmsMeansNotThePooledSeeds()
    {
        using var w = new Workspace();
        var report = RunReport.Write(Run(w));
        var darts = report.Groups[0];
        Assert.Equal("darts", darts.Name);
        Assert.Equal(["darts-1.json", "darts-2.json", "darts-3.json"], darts.Arms);
        Assert.Equal(ArmGroup.Kind, darts.Row.Kind);
        Assert.Equal(3, darts.Row.SeedCount); // three arms, not eight seeds
        Assert.Equal([92.0, 88.0, 90.0], darts.Row.Accuracies);
        Assert.Equal(90.0, darts.Row.TestTop1!.Value, 10); // the pooled seeds' mean would be 91
        Assert.Equal(2.0, darts.Row.Interval!.StdDev, 10);
        Assert.Equal(4.968275423500659, darts.Row.Interval.HalfWidth, 9); // t(0.975, 2) · 2 / √3
        Assert.Equal(110_000, darts.Row.Params); // the arms' mean: (100k + 110k + 120k) / 3
        Assert.Equal(3_000_000, darts.Row.Macs);
        Assert.Empty(darts.Missing);

        var half = report.Groups[2];
        Assert.Equal(["darts-4.json"], half.Missing);
        Assert.Equal(1, half.Row.SeedCount);
    }

    [Fact]
    public void AGroupAgainstAGroupIsWelchsTestOnTheArmsMeans()
    {
        using var w = new Workspace();
        var report = RunReport.Write(Run(w));
        // darts: 92, 88, 90; random: 86, 84, 88. Both variances 4, n = 3: t = 4 / √(8/3) = √6, Welch's df = 4 exactly.
        var c = report.Comparisons[0];
        Assert.Equal(("darts", "random"), (c.A, c.B));
        Assert.Equal(4.0, c.Welch!.Difference, 10);
        Assert.Equal(Math.Sqrt(6), c.Welch.T, 10);
        Assert.Equal(4.0, c.Welch.DegreesOfFreedom, 10);
        Assert.Equal(0.07048399691022, c.Welch.PValue, 9); // 2(1 − F(√6)) with ν = 4; t(0.975, 4) = 2.776 > √6: not significant
        Assert.Equal(1.6, c.HedgesG, 10); // d = 4 / 2, times 1 − 3/(4·6 − 9)
        Assert.Null(c.Paired); // a group has no seeds to pair
        Assert.False(c.Significant);
        Assert.Equal("darts is higher than random by 4.00 points: not significant at 0.05 (Welch's t-test, p = 0.0705, Hedges' g = 1.60); " +
                     "the replicates cannot tell them apart", c.Verdict);

        // A group against an arm: the group's arm means against the arm's seeds (random-1: 85, 87).
        var versusArm = report.Comparisons[1];
        Assert.Equal(SeedStatistics.Welch([92.0, 88.0, 90.0], [85.0, 87.0])!.PValue, versusArm.Welch!.PValue, 12);
        Assert.Null(versusArm.Paired);

        // A group with one trained arm cannot be tested.
        Assert.Null(report.Comparisons[2].Welch);
        Assert.EndsWith("untested: a group needs at least 2 arms with an accuracy", report.Comparisons[2].Verdict);
    }

    [Fact]
    public void SummaryAndTerminalShowTheGroups()
    {
        using var w = new Workspace();
        var run = Run(w);
        RunReport.Write(run);
        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("## Groups", summary);
        Assert.Contains("| group | arms | n | top-1 (%) | std | mean params | mean MACs |", summary);
        Assert.Contains("| `darts` | `darts-1.json`, `darts-2.json`, `darts-3.json` | 3 | 90.00 ± 4.97 | 2.00 | 110K | 3M |", summary);
        Assert.Contains("| `half` | `darts-1.json`, `darts-4.json` (no accuracy) | 1 | 92.00 |  | 100K | 2M |", summary);
        Assert.True(summary.IndexOf("## Groups", StringComparison.Ordinal) < summary.IndexOf("## Comparisons", StringComparison.Ordinal));
        Assert.Contains("| `darts` | `random` | +4.00 | 2.45 | 4.0 | 0.0705 | 1.60 |  | no |", summary);
        Assert.Contains("- darts is higher than random by 4.00 points: not significant at 0.05", summary);
        // plot.svg: the groups as a series of their own, each with the interval over its arms' means (the arms keep theirs).
        var svg = File.ReadAllText(Path.Combine(run, "plot.svg"));
        Assert.Contains("groups (mean of their arms)", svg);
        Assert.Contains(">darts</text>", svg);
        Assert.Contains(">half</text>", svg);
        Assert.Equal(Arms.Count(a => a.Seeds.Length > 1) + 2, System.Text.RegularExpressions.Regex.Count(svg, "class=\"interval\""));

        var (code, output, err) = CliRunner.Run("report", run);
        Assert.True(code == 0, err);
        Assert.Contains("group darts (darts-1.json, darts-2.json, darts-3.json): n = 3 arms, top-1 90.00 ± 4.97 over the arms' means", output);
        Assert.Contains("group half (darts-1.json, darts-4.json): n = 1 arm, top-1 92.00 over the arms' means; no accuracy yet: darts-4.json", output);
        Assert.Contains("compare darts vs random: darts is higher than random by 4.00 points", output);
    }

    private static string Study(string groups, string compare = "[[family, small]]", string train = """
          train:
            seeds: [1, 2]
            baselines:
              - {model: mobilenet_v3_small, width_mult: 0.25}
              - {model: mobilenet_v3_small, width_mult: 0.5}
        """) => $$"""
        name: groups
        dataset: {name: synthetic}
        stages:
          scale: {base: tiny.yaml, coefficients: {alpha: 1.2, beta: 1.1, gamma: 1.15}, phi: [0, 1]}
        {{train}}
          report:
            compare: {{compare}}
            groups: {{groups}}
        """;

    private static ExperimentConfigException Invalid(Workspace w, string yaml) => SeedsConfigTests.Invalid(w, yaml);

    private const string Arms2 = "(arms: phi0, phi1, mobilenet_v3_small-w0.25, mobilenet_v3_small-w0.5; groups: ";

    [Fact]
    public void GroupsLoadInTheOrderWrittenAndLeaveOtherRunsHashesAlone()
    {
        using var w = new Workspace();
        var c = ExperimentFile.Load(w.Write("exp.yaml", Study("{small: [mobilenet_v3_small-w0.25, mobilenet_v3_small-w0.5], family: [phi1, phi0]}",
            "[[family, small], [phi1, small]]")));
        Assert.Equal(["small", "family"], c.Stages.Report!.Groups!.Keys);
        Assert.Equal(["phi1", "phi0"], c.Stages.Report.Groups["family"]);
        Assert.Contains("\"groups\":{\"small\":[\"mobilenet_v3_small-w0.25\",\"mobilenet_v3_small-w0.5\"],\"family\":[\"phi1\",\"phi0\"]}", c.CanonicalJson);
        // Without groups the canonical JSON (and so the run directory's name) is what it was before the key existed.
        var none = ExperimentFile.Load(w.Write("none.yaml", Study("x").Replace("\n    groups: x", "").Replace("[[family, small]]", "[[phi1, phi0]]")));
        Assert.Null(none.Stages.Report!.Groups);
        Assert.DoesNotContain("\"groups\":", none.CanonicalJson);
    }

    [Fact]
    public void AGroupNamingAnArmThatIsNotThereIsAnErrorWithItsKeyAndLine()
    {
        using var w = new Workspace();
        var e = Invalid(w, Study("{small: [mobilenet_v3_small-w0.25, resnet18], family: [phi0, phi2]}", "[[family, small], [phi1, nosuch]]"));
        Assert.Equal(
        [
            $"exp.yaml:11: stages.report.compare[1][1]: 'nosuch' is not an arm of this run {Arms2}small, family)",
            $"exp.yaml:12: stages.report.groups.small[1]: 'resnet18' is not an arm of this run {Arms2}small, family)",
            $"exp.yaml:12: stages.report.groups.family[1]: 'phi2' is not an arm of this run: no family member at phi 2 is trained {Arms2}small, family)",
        ], e.Errors);
    }

    [Fact]
    public void GroupNamesAndSizesAreChecked()
    {
        using var w = new Workspace();
        Assert.Equal("exp.yaml:12: stages.report.groups.mobilenet_v3_small-w0.25: 'mobilenet_v3_small-w0.25' is the name of an arm: give the group another name",
            Assert.Single(Invalid(w, Study("{mobilenet_v3_small-w0.25: [phi0, phi1]}", "[[phi0, phi1]]")).Errors));
        Assert.Equal("exp.yaml:12: stages.report.groups.phi3: 'phi3' reads as a family member (phiN): give the group another name",
            Assert.Single(Invalid(w, Study("{phi3: [phi0, phi1]}", "[[phi0, phi1]]")).Errors));
        Assert.Equal("exp.yaml:12: stages.report.groups.solo: must be a list of at least two arms (a group of one is that arm: compare it directly)",
            Assert.Single(Invalid(w, Study("{solo: [phi0]}", "[[phi0, phi1]]")).Errors));
        Assert.Equal("exp.yaml:12: stages.report.groups.twice[1]: lists 'phi0' twice (each arm is one replicate of the group)",
            Assert.Single(Invalid(w, Study("{twice: [phi0, phi0]}", "[[phi0, phi1]]")).Errors));
        Assert.Equal($"exp.yaml:12: stages.report.groups.nested[1]: 'family' is a group: a group lists arms {Arms2}family, nested)",
            Assert.Single(Invalid(w, Study("{family: [phi0, phi1], nested: [phi0, family]}", "[[phi0, phi1]]")).Errors));
        Assert.Equal("exp.yaml:12: stages.report.groups: must be a mapping of group names to lists of at least two arms, " +
                     "e.g. {darts: [darts-1.json, darts-2.json], random: [random-1.json, random-2.json]}",
            Assert.Single(Invalid(w, Study("[phi0, phi1]", "[[phi0, phi1]]")).Errors));
        Assert.Contains("exp.yaml:6: stages.report.groups: needs a train stage (the arms compared are its members and baselines)",
            Invalid(w, Study("{family: [phi0, phi1]}", "[[phi0, phi1]]", train: "")).Errors);
    }

    /// <summary>Through the CLI: exit 2, the key named, no run directory.</summary>
    [Fact]
    public void TheRunCommandRefusesABadGroupWithoutARunDirectory()
    {
        using var w = new Workspace();
        var runs = Path.Combine(w.Dir, "runs");
        var (code, _, err) = CliRunner.Run("run", w.Write("bad.yaml", Study("{small: [mobilenet_v3_small-w0.25, nosuch]}", "[[phi0, small]]")), "--out", runs);
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:12: stages.report.groups.small[1]: 'nosuch' is not an arm of this run", err);
        Assert.False(Directory.Exists(runs), $"{runs} was created");
    }
}
