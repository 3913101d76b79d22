using Research.Training.Data;
using Research.Training;

namespace Research.Search.Tests;

public class GridSearchRunTests
{
    /// <summary>The CSV's lines without the seconds column (a timing).</summary>
    private static string[] Rows(string csv)
    {
        var lines = File.ReadAllLines(csv);
        int seconds = Array.IndexOf(lines[0].Split(','), "seconds");
        return lines.Select(l => string.Join(",", l.Split(',').Where((_, i) => i != seconds))).ToArray();
    }

    [Fact]
    public void SearchWritesCandidatesAndBestAndResumesToTheSameCsv()
    {
        var spec = Research.Training.Tests.TinyNet.Spec;
        var data = Synthetic.Load(seed: 2, trainCount: 300, testCount: 50);
        var cfg = new GridSearchConfig { MaxCandidates = 3, Seeds = [1, 2], Train = new TrainConfig { Epochs = 1, BatchSize = 50, LearningRate = 0.05 } };
        var dir = Directory.CreateTempSubdirectory().FullName;
        var r = GridSearch.Run(spec, data, "synthetic", cfg, dir);
        Assert.Equal(3, r.Candidates.Count);
        Assert.All(r.Candidates, c => Assert.Equal(2, c.Accuracies.Length));
        Assert.Equal(r.Candidates.Max(c => c.Objective), r.Best.Objective);
        Assert.NotNull(r.Comparison);
        var csv = Path.Combine(dir, "candidates.csv");
        Assert.Equal("kind,alpha,beta,gamma,constraint,params,macs,macs_ratio,acc_mean,acc_std,n_seeds,objective,seconds,rung,epochs,predicted_latency_ms,prefilter_score",
            File.ReadLines(csv).First());
        var before = Rows(csv);
        var best = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "best.json"))).RootElement;
        Assert.Equal(r.Best.Coefficients.Alpha, best.GetProperty("alpha").GetDouble());
        Assert.True(best.GetProperty("winner_vs_runner_up").TryGetProperty("verdict", out _));

        // Lose the last candidate's second seed (as a kill would) and the CSV: the rerun redoes only that.
        var last = Path.Combine(dir, "candidates", r.Candidates[^1].Coefficients.Key, "seed2");
        Directory.Delete(last, recursive: true);
        File.Delete(csv);
        var firstCheckpoint = Path.Combine(dir, "candidates", r.Candidates[0].Coefficients.Key, "seed1", "checkpoint.safetensors");
        var stamp = File.GetLastWriteTimeUtc(firstCheckpoint);
        GridSearch.Run(spec, data, "synthetic", cfg, dir);
        Assert.Equal(before, Rows(csv));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(firstCheckpoint)); // finished work was not recomputed
    }
}
