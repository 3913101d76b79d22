using System.Globalization;
using Research.Core.Csv;

namespace Research.Cli.Tests;

/// <summary>
/// Screening before training: `--prefilter PROXY --keep F` trains the best fraction by the proxy (random and grid searches),
/// `--max-latency-ms` skips candidates predicted over the budget (listed in screened.csv), and DARTS takes a latency penalty.
/// </summary>
[Collection("CLI training")]
public class ScreeningCommandTests
{
    private static readonly string Space = Path.Combine(Search.Tests.TestPaths.Repo, "search-spaces", "quick.yaml");

    private static string[] Random(string dir, params string[] more) => Random(dir, 6, more);

    private static string[] Random(string dir, int count, params string[] more) =>
        ["search", "random", "--space", Space, "--dataset", "synthetic", "--subset", "96", "--count", count.ToString(CultureInfo.InvariantCulture), "--epochs", "1",
            "--batch", "16", "--threads", "1", "--out", dir, .. more];

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void ARandomSearchTrainsTheBestFractionByTheProxyAndKeepsTheScores()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("screen").FullName, "random");
        var (code, output, err) = CliRunner.Run(Random(dir, "--prefilter", "synflow", "--keep", "0.5", "--prefilter-batch", "8"));
        Assert.True(code == 0, err);
        Assert.Contains("random_candidates 3", output);
        var screened = CsvTable.Read(Path.Combine(dir, "screened.csv"));
        Assert.Equal(6, screened.Count);
        var best = screened.OrderByDescending(r => Number(r["prefilter_score"])).Take(3).Select(r => r["index"]).Order().ToList();
        Assert.Equal(best, screened.Where(r => r["outcome"] == "train").Select(r => r["index"]).Order().ToList());
        Assert.Equal(3, screened.Count(r => r["outcome"] == "filtered"));
        var trained = CsvTable.Read(Path.Combine(dir, "random_baseline.csv"));
        Assert.Equal(best, trained.Select(r => r["index"]).Order().ToList());
        Assert.All(trained, r => Assert.Equal(screened.Single(s => s["index"] == r["index"])["prefilter_score"], r["prefilter_score"]));
    }

    [Fact]
    public void ALatencyBudgetSkipsCandidatesBeforeTrainingAndDartsTakesALatencyPenalty()
    {
        var root = Directory.CreateTempSubdirectory("screen").FullName;
        var table = Path.Combine(root, "quick.csv");
        var (code, _, err) = CliRunner.Run("bench", "latency-table", "--space", Space, "--dataset", "synthetic", "--threads", "1", "--warmup", "0", "--repeats", "1",
            "--span-seconds", "0", "--out", table);
        Assert.True(code == 0, err);

        // Predictions only (no budget), then a budget at the median: the slower half is skipped and listed.
        var all = Path.Combine(root, "all");
        (code, _, err) = CliRunner.Run(Random(all, 4, "--latency-table", table));
        Assert.True(code == 0, err);
        var predicted = CsvTable.Read(Path.Combine(all, "screened.csv")).Select(r => Number(r["predicted_latency_ms"])).ToList();
        Assert.All(predicted, p => Assert.True(p > 0));
        double budget = predicted.Order().ElementAt(1);
        var capped = Path.Combine(root, "capped");
        (code, _, err) = CliRunner.Run(Random(capped, 4, "--latency-table", table, "--max-latency-ms", budget.ToString("R", CultureInfo.InvariantCulture)));
        Assert.True(code == 0, err);
        var screened = CsvTable.Read(Path.Combine(capped, "screened.csv"));
        Assert.Equal(predicted.Count(p => p > budget), screened.Count(r => r["outcome"] == "over_latency"));
        Assert.All(CsvTable.Read(Path.Combine(capped, "random_baseline.csv")), r => Assert.True(Number(r["predicted_latency_ms"]) <= budget));

        // DARTS with a latency penalty: the expected latency and the derived genotype's prediction per epoch.
        var darts = Path.Combine(root, "darts");
        (code, var output, err) = CliRunner.Run("search", "darts", "--space", Space, "--dataset", "synthetic", "--subset", "64", "--epochs", "1", "--batch", "16",
            "--latency-table", table, "--latency-lambda", "0.5", "--threads", "1", "--out", darts);
        Assert.True(code == 0, err);
        var epoch = Assert.Single(CsvTable.Read(Path.Combine(darts, "darts_epochs.csv")));
        Assert.True(Number(epoch["expected_latency_ms"]) > 0 && Number(epoch["genotype_latency_ms"]) > 0, output);
    }

    [Fact]
    public void AGridSearchScreensItsCandidatesToo()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("screen").FullName, "grid");
        var (code, _, err) = CliRunner.Run("search", "grid", "--base", "mobilenet_v3_small", "--width-mult", "0.5", "--small-input", "--dataset", "synthetic",
            "--subset", "200", "--epochs", "1", "--batch", "50", "--max-candidates", "4", "--prefilter", "params", "--keep", "0.5", "--threads", "1", "--out", dir);
        Assert.True(code == 0, err);
        var screened = CsvTable.Read(Path.Combine(dir, "screened.csv"));
        Assert.Equal(4, screened.Count);
        var trained = CsvTable.Read(Path.Combine(dir, "candidates.csv"));
        Assert.Equal(2, trained.Count);
        // params as the proxy: the two largest candidates train.
        var largest = screened.OrderByDescending(r => long.Parse(r["params"], CultureInfo.InvariantCulture)).Take(2).Select(r => r["params"]).Order().ToList();
        Assert.Equal(largest, trained.Select(r => r["params"]).Order().ToList());
        Assert.All(trained, r => Assert.NotEqual("", r["prefilter_score"]));
    }

    [Fact]
    public void ABudgetOrAPenaltyWithoutATableIsBadInput()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("screen").FullName, "x");
        var (code, _, err) = CliRunner.Run(Random(dir, "--max-latency-ms", "5"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--max-latency-ms 5: a latency budget needs a latency table", err);
        (code, _, err) = CliRunner.Run("search", "darts", "--space", Space, "--dataset", "synthetic", "--latency-lambda", "1", "--out", dir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--latency-lambda 1: the latency penalty needs a latency table", err);
        (code, _, err) = CliRunner.Run(Random(dir, "--prefilter", "zico"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("zico", err);
        Assert.False(Directory.Exists(dir));
    }
}
