using System.Text.Json.Nodes;
using Research.Experiments.Reports;

namespace Research.Experiments.Tests;

/// <summary>
/// The seed statistics against values computed independently with SciPy 1.10.1 (Debian's python3-scipy):
/// <c>scipy.stats.t.interval(0.95, n-1, loc=mean, scale=sd/sqrt(n))</c>, <c>ttest_ind(a, b, equal_var=False)</c>,
/// <c>ttest_rel(a, b)</c>; the Welch–Satterthwaite df and Hedges' g by their formulas in NumPy
/// (g = (mean_a − mean_b) / pooled sd × (1 − 3/(4(n_a + n_b) − 9))).
/// </summary>
public class SeedStatisticsTests
{
    // Two arms, four seeds each (seeds 1..4 in order): test top-1 in %.
    private static readonly double[] A = [91.2, 92.5, 90.8, 91.9];
    private static readonly double[] B = [89.7, 90.4, 90.9, 89.5];

    [Fact]
    public void TheIntervalIsStudentsT()
    {
        var a = SeedStatistics.Summarise(A);
        Assert.Equal(4, a.Count);
        Assert.Equal(91.6, a.Mean, 10);
        Assert.Equal(0.7527726527090822, a.StdDev, 10);
        Assert.Equal(1.1978292736665261, a.HalfWidth, 9); // t(0.975, 3) = 3.182446305284263
        Assert.Equal(90.40217072633347, a.Low, 9);
        Assert.Equal(92.79782927366652, a.High, 9);
        var b = SeedStatistics.Summarise(B);
        Assert.Equal(1.026102484172791, b.HalfWidth, 9);

        // One seed: a mean, no interval.
        var one = SeedStatistics.Summarise([77.5]);
        Assert.False(one.HasInterval);
        Assert.True(double.IsNaN(one.HalfWidth));
    }

    [Fact]
    public void WelchHedgesAndPairedMatchScipy()
    {
        var w = SeedStatistics.Welch(A, B)!;
        Assert.Equal(1.475, w.Difference, 10);
        Assert.Equal(2.976156306601359, w.T, 9);
        Assert.Equal(5.861845850652448, w.DegreesOfFreedom, 9);
        Assert.Equal(0.025464911398566957, w.PValue, 9);
        Assert.Equal(1.8299654837121135, SeedStatistics.HedgesG(A, B), 9);

        var paired = SeedStatistics.Paired(Seeds(A), Seeds(B))!;
        Assert.Equal(4, paired.Differences.Count);
        Assert.Equal(1.475, paired.Differences.Mean, 9);
        Assert.Equal(1.1146748404804023, paired.Differences.StdDev, 9);
        Assert.Equal(1.7736964138400908, paired.Differences.HalfWidth, 9);
        Assert.Equal(2.6465116936958992, paired.T, 9);
        Assert.Equal(0.07722400371255567, paired.PValue, 9);

        // Unequal sizes: 3 seeds against 5.
        double[] c = [75.0, 77.5, 76.0], e = [74.1, 74.9, 73.2, 74.4, 75.3];
        var w2 = SeedStatistics.Welch(c, e)!;
        Assert.Equal(2.203951839956162, w2.T, 9);
        Assert.Equal(3.0104578235017403, w2.DegreesOfFreedom, 9);
        Assert.Equal(0.11443688513771202, w2.PValue, 9);
        Assert.Equal(1.5863946387800685, SeedStatistics.HedgesG(c, e), 9);

        // Too few seeds to test, or to pair.
        Assert.Null(SeedStatistics.Welch([1.0], B));
        Assert.Null(SeedStatistics.Paired(new Dictionary<int, double> { [1] = 1, [2] = 2 }, new Dictionary<int, double> { [2] = 1, [3] = 2 }));
    }

    private static Dictionary<int, double> Seeds(double[] values) => values.Select((v, i) => (v, i)).ToDictionary(x => x.i + 1, x => x.v);

    /// <summary>A run directory written by hand (manifest and family.csv with four seeds per arm): the report's table, tests and words.</summary>
    [Fact]
    public void TheReportShowsIntervalsAndSaysWhichComparisonsAreSignificant()
    {
        using var w = new Workspace();
        var run = Path.Combine(w.Dir, "run");
        Directory.CreateDirectory(Path.Combine(run, "train"));
        var config = new JsonObject
        {
            ["name"] = "seeds",
            ["stages"] = new JsonObject
            {
                ["train"] = new JsonObject
                {
                    ["recipe"] = new JsonObject { ["epochs"] = 5 },
                    ["baselines"] = new JsonArray(new JsonObject { ["model"] = "mobilenet_v2", ["overrides"] = new JsonObject { ["width_mult"] = 0.25 } }),
                },
                ["report"] = new JsonObject
                {
                    ["compare"] = new JsonArray(new JsonArray("phi1", "mobilenet_v2-w0.25"), new JsonArray("phi1", "phi0")),
                    ["statistics"] = new JsonObject { ["significance"] = 0.05 },
                },
            },
        };
        File.WriteAllText(Path.Combine(run, "manifest.json"), new JsonObject { ["name"] = "seeds", ["hash"] = "00000000", ["config"] = config }.ToJsonString());
        var lines = new List<string> { "kind,name,phi,seed,params,macs,resolution,val_top1,test_top1,images_per_s,seconds" };
        for (int s = 0; s < 4; s++)
        {
            string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"member,net-phi0,0,{s + 1},100,1000,28,,{F(B[s] + 0.1)},10,1");
            lines.Add($"member,net-phi1,1,{s + 1},200,2000,32,,{F(A[s])},10,1");
            lines.Add($"baseline,mobilenet_v2-w0.25,,{s + 1},300,1500,28,,{F(B[s])},10,1");
        }
        File.WriteAllText(Path.Combine(run, "train", "family.csv"), string.Join("\n", lines) + "\n");

        var report = RunReport.Write(run);
        Assert.Equal(["net-phi0", "net-phi1", "mobilenet_v2-w0.25"], report.Rows.Select(r => r.Name));
        Assert.Equal(12, report.SeedRows.Count);
        var phi1 = report.Rows[1];
        Assert.Equal(4, phi1.SeedCount);
        Assert.Equal(91.6, phi1.TestTop1!.Value, 9);
        Assert.Equal(1.1978292736665261, phi1.TestInterval!.HalfWidth, 9);
        Assert.Null(report.SmokeTestNote); // several seeds: not a smoke test

        var versusBaseline = report.Comparisons[0];
        Assert.Equal("mobilenet_v2-w0.25", versusBaseline.RowB!.Name);
        Assert.Equal(0.025464911398566957, versusBaseline.Welch!.PValue, 9);
        Assert.True(versusBaseline.Significant);
        Assert.Equal(0.07722400371255567, versusBaseline.Paired!.PValue, 9);
        Assert.StartsWith("phi1 is higher than mobilenet_v2-w0.25 by 1.4", versusBaseline.Verdict); // 1.475, rounded either way
        Assert.Contains(" points: significant at 0.05 (Welch's t-test, p = 0.0255, Hedges' g = 1.83)", versusBaseline.Verdict);

        var summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        Assert.Contains("| 91.60 ± 1.20 |", summary);
        Assert.Contains("## Comparisons", summary);
        Assert.Contains(" points: significant at 0.05 (Welch's t-test, p = 0.0255", summary);
        // plot.svg draws each arm's interval as an error bar.
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(File.ReadAllText(Path.Combine(run, "plot.svg")), "class=\"interval\""));

        // A stricter level, from `research report --significance`: the same difference is no longer significant.
        var (code, output, err) = CliRunner.Run("report", run, "--significance", "0.01");
        Assert.True(code == 0, err);
        Assert.Contains("91.60 ± 1.20", output);
        Assert.Contains("compare phi1 vs mobilenet_v2-w0.25: phi1 is higher than mobilenet_v2-w0.25 by 1.4", output);
        Assert.Contains(" points: not significant at 0.01 (Welch's t-test, p = 0.0255", output);
        Assert.Contains("mean ± half-width of the 95% confidence interval (Student's t)", output);
    }

    /// <summary>One seed per model: the report and the table say it is a smoke test and point to results/.</summary>
    [Fact]
    public void OneSeedIsCalledASmokeTest()
    {
        using var w = new Workspace();
        var run = Path.Combine(w.Dir, "run");
        Directory.CreateDirectory(Path.Combine(run, "train"));
        var config = new JsonObject { ["stages"] = new JsonObject { ["train"] = new JsonObject { ["recipe"] = new JsonObject { ["epochs"] = 3 } } } };
        File.WriteAllText(Path.Combine(run, "manifest.json"), new JsonObject { ["name"] = "quick", ["config"] = config }.ToJsonString());
        File.WriteAllText(Path.Combine(run, "train", "family.csv"),
            "kind,name,phi,seed,params,macs,resolution,val_top1,test_top1,images_per_s,seconds\nmember,net-phi0,0,0,100,1000,28,,79.04,10,1\nmember,net-phi1,1,0,200,2000,32,,78.4,10,1\n");
        var (code, output, err) = CliRunner.Run("report", run);
        Assert.True(code == 0, err);
        Assert.Contains("note: One seed and 3 epochs per model: a smoke test of the pipeline, not an answer.", output);
        Assert.Contains("results/README.md", output);
        Assert.Contains("**One seed and 3 epochs per model: a smoke test of the pipeline, not an answer.", File.ReadAllText(Path.Combine(run, "summary.md")));
    }
}
