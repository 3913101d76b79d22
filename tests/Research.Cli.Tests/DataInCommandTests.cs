using System.Diagnostics;
using Research.Bench.ImageFolders;
using Research.Experiments.Config;
using Research.Training.Data;

namespace Research.Cli.Tests;

/// <summary>Folder and CSV datasets through the CLI and the experiment file, and a cache build killed half-way.</summary>
public class DataInCommandTests
{
    private static string Folder(string dir, int train = 60, int test = 20)
    {
        var data = Synthetic.Load(seed: 2, trainCount: train, testCount: test);
        var root = Path.Combine(dir, "images");
        ImageFolderWriter.WritePng(data.Train, root, "train");
        ImageFolderWriter.WritePng(data.Test, root, "test");
        return root;
    }

    [Fact]
    public void TrainOnAFolderWritesTheClassesAndEvalAndPredictUseThem()
    {
        var dir = Directory.CreateTempSubdirectory("datain").FullName;
        var root = Folder(dir);
        var run = Path.Combine(dir, "run");
        var (code, output, err) = CliRunner.Run("train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--small-input", "--dataset", "folder",
            "--data-dir", root, "--epochs", "1", "--batch", "20", "--threads", "1", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("dataset folder train 60 test 20", output);
        var classes = System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(run, "classes.json")))!;
        Assert.Equal(ImageFolderWriter.ClassFolder(0, "bar 0°"), classes[0]);
        var (evalCode, evalOut, evalErr) = CliRunner.Run("eval", "--weights", Path.Combine(run, "model.safetensors"), "--threads", "1");
        Assert.True(evalCode == 0, evalErr);
        Assert.Contains("dataset folder test 20", evalOut);
        var csv = Path.Combine(dir, "p.csv");
        (code, _, err) = CliRunner.Run("predict", "--weights", Path.Combine(run, "model.safetensors"), "--input", Path.Combine(root, "test"), "--out", csv, "--top", "1");
        Assert.True(code == 0, err);
        Assert.StartsWith("path,top1,prob1\n", File.ReadAllText(csv));
        Assert.Equal(21, File.ReadAllLines(csv).Length);
    }

    /// <summary>Class names come from folder names, which may hold commas, quotes or a formula: `data` prints them as a JSON array, one line.</summary>
    [Fact]
    public void DataPrintsClassNamesAsAJsonArray()
    {
        var dir = Directory.CreateTempSubdirectory("datain-names").FullName;
        var data = Synthetic.Load(seed: 2, trainCount: 30, testCount: 3, classes: 3);
        var root = Path.Combine(dir, "images");
        ImageFolderWriter.WritePng(data.Train, root, "train");
        string[] names = ["=1+2", "a,b", "say \"hi\""];
        var folders = Directory.GetDirectories(Path.Combine(root, "train")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, folders.Length);
        for (int i = 0; i < 3; i++) Directory.Move(folders[i], Path.Combine(root, "train", names[i]));
        var (code, output, err) = CliRunner.Run("data", "--dataset", "folder", "--data-dir", root);
        Assert.True(code == 0, err);
        Assert.Contains("class_names [\"=1+2\",\"a,b\",\"say \\\"hi\\\"\"]\n", output);
    }

    [Fact]
    public void ABadImageIsBadInputWithNoRunDirectoryUnlessSkipped()
    {
        var dir = Directory.CreateTempSubdirectory("datain-bad").FullName;
        var root = Folder(dir);
        var bad = Path.Combine(Directory.GetDirectories(Path.Combine(root, "train")).First(), "broken.png");
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var run = Path.Combine(dir, "run");
        string[] args = ["train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--small-input", "--dataset", "folder", "--data-dir", root,
            "--epochs", "1", "--batch", "20", "--threads", "1", "--out", run];
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(bad, err);
        Assert.False(Directory.Exists(run));
        (code, _, err) = CliRunner.Run([.. args, "--bad-images", "skip"]);
        Assert.True(code == 0, err);
        Assert.Equal($"{bad}\n", File.ReadAllText(Path.Combine(run, "skipped_images.txt")));
    }

    [Fact]
    public void AnExperimentOnAFolderHashesItsFiles()
    {
        var dir = Directory.CreateTempSubdirectory("datain-exp").FullName;
        Folder(dir);
        var exp = Path.Combine(dir, "exp.yaml");
        File.WriteAllText(exp, """
            name: mine
            dataset: {name: folder, data_dir: images}
            stages:
              train: {baselines: [{model: mobilenet_v3_small, width_mult: 0.25}], epochs: 1}
            """);
        var first = ExperimentFile.Load(exp);
        Assert.Contains("dataset:images", first.Inputs.Keys);
        var file = Directory.GetFiles(Path.Combine(dir, "images", "train"), "*.png", SearchOption.AllDirectories).First();
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(1));
        Assert.NotEqual(first.Hash, ExperimentFile.Load(exp).Hash);
        File.WriteAllText(exp, "name: mine\ndataset: {name: folder, data_dir: nowhere}\nstages:\n  train: {baselines: [mobilenet_v2]}\n");
        var e = Assert.Throws<ExperimentConfigException>(() => ExperimentFile.Load(exp));
        Assert.Contains(e.Errors, x => x.Contains("dataset.data_dir: directory not found"));
    }

    /// <summary>SIGKILL while the cache is being decoded: nothing a later run would trust is left, and the next run builds it and trains.</summary>
    [Fact]
    public void ACacheBuildKilledHalfWayIsRebuiltNeverHalfUsed()
    {
        var dir = Directory.CreateTempSubdirectory("datain-kill").FullName;
        var root = Path.Combine(dir, "photos");
        ImageFolderWriter.WriteJpegs(root, 1500, 256, 3, seed: 4);
        var cacheDir = Path.Combine(dir, "cache");
        string[] args = ["train", "--model", "mobilenet_v3_small", "--width-mult", "0.25", "--dataset", "folder", "--data-dir", root, "--cache-dir", cacheDir,
            "--resolution", "32", "--subset", "40", "--epochs", "1", "--batch", "20", "--threads", "1", "--out", Path.Combine(dir, "run")];
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "research")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var clock = Stopwatch.StartNew();
            while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60) &&
                   !(Directory.Exists(cacheDir) && Directory.GetFiles(cacheDir, "*" + Research.Core.IO.DurableFile.TemporarySuffix).Length > 0))
                Thread.Sleep(20);
            Thread.Sleep(50); // into the decoding (briefly: on a fast machine the whole cache takes well under a second)
            Assert.False(p.HasExited, "the cache was built before it could be killed; make the test's image set larger");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.Empty(Directory.GetFiles(cacheDir, "*" + ImageCache.Suffix)); // no finished cache: only the temporary file
        var (code, output, err) = CliRunner.Run(args);
        Assert.True(code == 0, err);
        Assert.Single(Directory.GetFiles(cacheDir, "*" + ImageCache.Suffix));
        Assert.Empty(Directory.GetFiles(cacheDir, "*" + Research.Core.IO.DurableFile.TemporarySuffix));
        Assert.Contains("final_top1", output);
    }
}
