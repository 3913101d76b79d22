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
}
