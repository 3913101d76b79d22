namespace Research.Cli.Tests;

[Collection("CLI training")]
public class SearchDartsCommandTests
{
    private const string Space = """
        name: cli-tiny
        ops:
          none: none
          skip_connect: skip
          avg_pool_3x3: avg_pool_k3
          mbconv_k3_e2: ir_k3_e2_arelu_noskip
          ghost_k3_e2: gb_k3_e2_arelu_noskip
        nodes: 2
        supernet: {cells: 2, channels: 4, stem_multiplier: 1, stem_stride: 2, reductions: [1]}
        network: {cells: 3, channels: 4, stem_multiplier: 2, reductions: [1]}
        """;

    /// <summary>A fresh folder holding space.yaml with this text.</summary>
    private static (string dir, string space) WriteSpace(string text)
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var space = Path.Combine(dir, "space.yaml");
        File.WriteAllText(space, text);
        return (dir, space);
    }

    [Fact]
    public void SearchThenTrainAndScaleTheGenotype()
    {
        var (dir, space) = WriteSpace(Space);
        var outDir = Path.Combine(dir, "search");
        var (code, output, err) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--subset", "96", "--epochs", "1",
            "--batch", "16", "--partial-channels", "2", "--random-baseline", "2", "--out", outDir);
        Assert.True(code == 0, err);
        var figures = CliRunner.Figures(output);
        var genotype = figures["genotype_file"];
        Assert.True(File.Exists(genotype));
        Assert.True(File.Exists(Path.Combine(outDir, "random_genotype.json")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "random_baseline.csv")).Length);
        Assert.Contains("normal:", output);

        var (trainCode, trainOut, trainErr) = CliRunner.Run("train", "--model", genotype, "--dataset", "synthetic", "--subset", "64", "--epochs", "1",
            "--batch", "16", "--out", Path.Combine(dir, "train"));
        Assert.True(trainCode == 0, trainErr);
        Assert.Contains("final_top1", trainOut);

        var (scaleCode, scaleOut, scaleErr) = CliRunner.Run("scale", "--base", genotype, "--alpha", "1.2", "--beta", "1.1", "--gamma", "1.15", "--phi", "0-2",
            "--format", "csv", "--out", Path.Combine(dir, "family"));
        Assert.True(scaleCode == 0, scaleErr);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(dir, "family"), "*.yaml").Length);

        // A finished search refuses to run over itself without --resume, and resumes to the same genotype with it.
        var (again, _, againErr) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--subset", "96", "--epochs", "1",
            "--batch", "16", "--partial-channels", "2", "--out", outDir);
        Assert.Equal(2, again);
        Assert.Contains("resume it", againErr);
        var (resumed, resumedOut, resumedErr) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--subset", "96", "--epochs", "1",
            "--batch", "16", "--partial-channels", "2", "--out", outDir, "--resume");
        Assert.True(resumed == 0, resumedErr);
        Assert.Equal(figures["genotype"], CliRunner.Figures(resumedOut)["genotype"]);
    }

    /// <summary>
    /// The random baseline on its own: same split and weight recipe as search darts, N candidates, or
    /// fewer when a time budget runs out (a tiny budget admits exactly the first).
    /// </summary>
    [Fact]
    public void RandomSearchTrainsCandidatesWithinItsBudgetAndKeepsTheBest()
    {
        var (dir, space) = WriteSpace(Space);
        var outDir = Path.Combine(dir, "random");
        var (code, output, err) = CliRunner.Run("search", "random", "--space", space, "--dataset", "synthetic", "--subset", "96", "--count", "3",
            "--batch", "16", "--memory-format", "contiguous", "--out", outDir);
        Assert.True(code == 0, err);
        var f = CliRunner.Figures(output);
        Assert.Equal("3", f["random_candidates"]);
        var rows = File.ReadAllLines(Path.Combine(outDir, "random_baseline.csv"));
        Assert.Equal(4, rows.Length);
        var best = rows.Skip(1).Select(r => r.Split(',')).MaxBy(c => double.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture))!;
        Assert.StartsWith(best[0] + " ", f["random_best"]);
        var file = Research.Models.Cells.GenotypeFile.Load(f["random_genotype_file"]);
        Assert.EndsWith(" genotype " + file.Genotype, f["random_best"]);

        var (budgeted, budgetOut, budgetErr) = CliRunner.Run("search", "random", "--space", space, "--dataset", "synthetic", "--subset", "96", "--count", "3",
            "--batch", "16", "--budget-minutes", "0.00001", "--out", Path.Combine(dir, "budget"));
        Assert.True(budgeted == 0, budgetErr);
        Assert.Equal("1", CliRunner.Figures(budgetOut)["random_candidates"]);

        var (bad, _, badErr) = CliRunner.Run("search", "random", "--space", space, "--dataset", "synthetic", "--budget-minutes", "0");
        Assert.Equal(2, bad);
        Assert.Contains("--budget-minutes 0", badErr);
    }

    [Fact]
    public void MemoryBenchReportsBothSupernetsInOneRun()
    {
        var (_, space) = WriteSpace(Space);
        var (code, output, err) = CliRunner.Run("bench", "darts-memory", "--space", space, "--partial-channels", "2", "--steps", "2", "--batch", "8",
            "--resolution", "16");
        Assert.True(code == 0, err);
        var f = CliRunner.Figures(output);
        foreach (var key in new[] { "pc2_peak_mib", "full_peak_mib", "pc2_seconds_per_step", "full_seconds_per_step" })
            Assert.True(double.Parse(f[key], System.Globalization.CultureInfo.InvariantCulture) > 0, key);
        // A tiny supernet in a shared test process may not grow past what the first phase left, so only the ratio's presence is checked.
        Assert.True(double.TryParse(f["growth_ratio_full_over_pc2"], System.Globalization.CultureInfo.InvariantCulture, out _));
        var (bad, _, badErr) = CliRunner.Run("bench", "darts-memory", "--space", space, "--partial-channels", "1");
        Assert.Equal(2, bad);
        Assert.Contains("--partial-channels 1", badErr);
    }

    [Fact]
    public void BadSpaceIsBadInputNamingTheKey()
    {
        var (dir, space) = WriteSpace(Space.Replace("nodes: 2", "nodes: 2\ncells: 4"));
        var (code, _, err) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, code);
        Assert.Contains("space.yaml:9: cells: unknown key", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "o")));
    }
}
