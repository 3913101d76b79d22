namespace Research.Cli.Tests;

[Collection("CLI training")]
public class SearchCommandTests
{
    [Fact]
    public void GridSearchRunsOnSyntheticDataAndReportsCoefficients()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "grid");
        var (code, output, err) = CliRunner.Run("search", "grid", "--base", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input",
            "--dataset", "synthetic", "--subset", "300", "--epochs", "1", "--batch", "50", "--max-candidates", "2", "--threads", "1", "--out", dir);
        Assert.True(code == ExitCodes.Ok, err);
        var f = CliRunner.Figures(output);
        double a = double.Parse(f["alpha"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(a >= 1);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "candidates.csv")).Length);
        Assert.True(File.Exists(Path.Combine(dir, "best.json")));
        var (again, _, againErr) = CliRunner.Run("search", "grid", "--base", "mobilenet_v3_small", "--dataset", "synthetic", "--out", dir);
        Assert.Equal(ExitCodes.BadInput, again);
        Assert.Contains("--resume", againErr);
    }

    [Fact]
    public void ImpossibleToleranceIsBadInput()
    {
        var (code, _, err) = CliRunner.Run("search", "grid", "--base", "mobilenet_v3_small", "--dataset", "synthetic", "--step", "0.3", "--tolerance", "0.001",
            "--out", Path.Combine(Directory.CreateTempSubdirectory().FullName, "g"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--tolerance", err);
    }

    [Fact]
    public void AblationPlanWritesEveryArmWithinToleranceAndTrainsNothing()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "plan");
        string[] common = ["search", "ablation", "--base", "mobilenet_v2", "--width-mult", "0.5", "--small-input", "--resolution", "32", "--in-channels", "1",
            "--dataset", "synthetic", "--subset", "100", "--targets", "2,4", "--plan", "--out", dir];
        var (code, output, err) = CliRunner.Run([.. common, "--resolution-divisor", "4"]);
        Assert.True(code == ExitCodes.Ok, err);
        var rows = Research.Core.Csv.CsvTable.Read(Path.Combine(dir, "plan.csv"));
        Assert.Equal(["width-x2", "depth-x2", "resolution-x2", "compound-x2", "width-x4", "depth-x4", "resolution-x4", "compound-x4"], rows.Select(r => r["arm"]));
        foreach (var r in rows)
        {
            double ratio = double.Parse(r["macs_ratio"], System.Globalization.CultureInfo.InvariantCulture);
            double target = double.Parse(r["target_ratio"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(ratio / target, 0.95, 1.05);
            Assert.True(File.Exists(Path.Combine(dir, "arms", r["arm"] + ".yaml")));
            Assert.Contains(r["arm"] + ": ", output);
        }
        Assert.False(Directory.Exists(Path.Combine(dir, "members"))); // nothing trained

        // Resolutions on multiples of 8 cannot bring the resolution arm within 5% of 2x: refused, nothing written.
        var other = Path.Combine(Directory.CreateTempSubdirectory().FullName, "plan8");
        var (bad, _, badErr) = CliRunner.Run([.. common[..^1], other, "--resolution-divisor", "8"]);
        Assert.Equal(ExitCodes.BadInput, bad);
        Assert.Contains("macs_tolerance", badErr);
        Assert.Contains("resolution-x2 reaches", badErr);
        Assert.False(Directory.Exists(other));
    }
}
