using Research.Core.Csv;

namespace Research.Cli.Tests;

/// <summary>Successive halving against the full schedule on the same candidates: rungs in the files, the survivors' figures, and `search compare`.</summary>
[Collection("CLI training")]
public class HalvingCommandTests
{
    private static string[] Grid(string dir, params string[] schedule) =>
        ["search", "grid", "--base", "mobilenet_v2", "--width-mult", "0.25", "--small-input", "--subset", "300", "--epochs", "3", "--warmup-epochs", "0.5",
         "--max-candidates", "6", "--seeds", "1", "--threads", "2", "--out", dir, .. schedule];

    [Fact]
    public void HalvingTrainsTheBestThirdToTheWholeBudgetWithTheFullSchedulesFigures()
    {
        var root = Directory.CreateTempSubdirectory("research-halving-").FullName;
        string full = Path.Combine(root, "full"), halving = Path.Combine(root, "halving");
        var a = CliRunner.Run(Grid(full));
        Assert.True(a.Code == 0, a.Err);
        var b = CliRunner.Run(Grid(halving, "--schedule", "halving", "--min-epochs", "1", "--eta", "3"));
        Assert.True(b.Code == 0, b.Err);
        Assert.Contains("grid: rung 0: 6 candidate(s) to 1 epoch(s)", b.Out);
        Assert.Contains("grid: rung 1: 2 candidate(s) to 3 epoch(s)", b.Out);

        var fullRows = CsvTable.Read(Path.Combine(full, "candidates.csv"));
        var halvingRows = CsvTable.Read(Path.Combine(halving, "candidates.csv"));
        Assert.Equal(6, halvingRows.Count);
        Assert.All(fullRows, r => Assert.Equal(("0", "3"), (r["rung"], r["epochs"])));
        Assert.Equal(4, halvingRows.Count(r => r["rung"] == "0" && r["epochs"] == "1"));
        var survivors = halvingRows.Where(r => r["rung"] == "1").ToList();
        Assert.Equal(2, survivors.Count);
        // A survivor continued from its first rung ends exactly where the full schedule's run of it ended.
        foreach (var s in survivors)
        {
            var same = fullRows.Single(r => (r["alpha"], r["beta"], r["gamma"]) == (s["alpha"], s["beta"], s["gamma"]));
            Assert.Equal(same["acc_mean"], s["acc_mean"]);
            Assert.Equal("3", s["epochs"]);
        }

        var cmp = CliRunner.Run("search", "compare", full, halving);
        Assert.True(cmp.Code == 0, cmp.Err);
        var figures = CliRunner.Figures(cmp.Out);
        Assert.Equal("6", figures["candidates"]);
        Assert.Equal("18", figures["first_epochs"]);
        Assert.Equal("10", figures["second_epochs"]); // 6 candidates × 1 epoch, then 2 of them 2 more
        double rho = double.Parse(figures["spearman"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(rho, -1, 1);
        // The halving winner is the best of the survivors, and the full schedule ranks it as they both saw it.
        Assert.Equal(figures["same_winner"] == "true", figures["first_winner"] == figures["second_winner"]);
    }

    [Fact]
    public void HalvingAndABudgetDoNotGoTogether()
    {
        var (code, _, err) = CliRunner.Run("search", "random", "--space", Path.Combine(Research.Search.Tests.TestPaths.Repo, "search-spaces", "quick.yaml"), "--dataset", "synthetic",
            "--schedule", "halving", "--budget-minutes", "5", "--out", Directory.CreateTempSubdirectory().FullName);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--budget-minutes", err);
        Assert.Contains("halving", err);
    }

    [Fact]
    public void RefineAndHalvingDoNotGoTogether()
    {
        var (code, _, err) = CliRunner.Run(Grid(Directory.CreateTempSubdirectory().FullName, "--schedule", "halving", "--refine"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("refine", err);
    }
}
