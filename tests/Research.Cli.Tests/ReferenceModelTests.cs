using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Research.Core.Csv;
using Research.Search.Tests;
using Research.Torch.IO;

namespace Research.Cli.Tests;

/// <summary>
/// The zoo's ShuffleNet v1 and MobileNet v1 and DARTS's published cells, checked against an
/// independent PyTorch implementation of their reference code (bench/references/reference_models.py):
/// `research models show --format json` gives the same parameters and MACs, and ShuffleNet v1's
/// weights, saved by torch.save under the official code's names, give that code's logits.
/// </summary>
public class ReferenceModelTests
{
    private static readonly string Script = Path.Combine(TestPaths.Repo, "bench", "references", "reference_models.py");

    private static string Python(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python {string.Join(' ', args)}: {err.Result}");
        return output;
    }

    private static (long Params, long Macs) Ours(params string[] args)
    {
        var (code, output, err) = CliRunner.Run(["models", "show", .. args, "--format", "json"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        return (doc.RootElement.GetProperty("params").GetInt64(), doc.RootElement.GetProperty("macs").GetInt64());
    }

    [PyTorchTheory]
    [InlineData("shufflenet_v1_g1", "shufflenet_v1_g1", 224)]
    [InlineData("shufflenet_v1_g2", "shufflenet_v1_g2", 224)]
    [InlineData("shufflenet_v1_g3", "shufflenet_v1_g3", 224)]
    [InlineData("shufflenet_v1_g4", "shufflenet_v1_g4", 224)]
    [InlineData("shufflenet_v1_g8", "shufflenet_v1_g8", 224)]
    [InlineData("shufflenet_v1_g3_x0_5", "shufflenet_v1_g3_x0_5", 224)]
    [InlineData("shufflenet_v1_g3_x1_5", "shufflenet_v1_g3_x1_5", 224)]
    [InlineData("shufflenet_v1_g3_x2_0", "shufflenet_v1_g3_x2_0", 224)]
    [InlineData("shufflenet_v1_g8_x0_5", "shufflenet_v1_g8_x0_5", 224)]
    [InlineData("shufflenet_v1_g8_x1_5", "shufflenet_v1_g8_x1_5", 224)]
    [InlineData("shufflenet_v1_g8_x2_0", "shufflenet_v1_g8_x2_0", 224)]
    [InlineData("mobilenet_v1", "mobilenet_v1", 224)]
    [InlineData("mobilenet_v1 0.5", "mobilenet_v1@0.5", 160)]
    [InlineData("mobilenet_v1 0.75", "mobilenet_v1@0.75", 192)]
    public void ZooCountsEqualTheReferenceCode(string ours, string theirs, int resolution)
    {
        var parts = ours.Split(' ');
        string[] args = parts.Length == 1 ? [parts[0]] : [parts[0], "--width-mult", parts[1]];
        var reference = JsonDocument.Parse(Python(theirs, "--resolution", resolution.ToString(CultureInfo.InvariantCulture))).RootElement;
        var (p, m) = Ours([.. args, "--resolution", resolution.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(reference.GetProperty("params").GetInt64(), p);
        Assert.Equal(reference.GetProperty("macs").GetInt64(), m);
    }

    [PyTorchTheory]
    [InlineData("darts_v1")]
    [InlineData("darts_v2")]
    [InlineData("pc_darts")]
    public void PublishedCellsCountAsDartsCountsThem(string genotype)
    {
        var file = Path.Combine(TestPaths.Repo, "search-spaces", "genotypes", genotype + ".json");
        var reference = JsonDocument.Parse(Python(file, "--classes", "10", "--resolution", "32")).RootElement;
        var (code, output, err) = CliRunner.Run("models", "show", file, "--format", "json");
        Assert.True(code == 0, err);
        var ours = JsonDocument.Parse(output).RootElement;
        Assert.Equal(reference.GetProperty("params").GetInt64(), ours.GetProperty("params").GetInt64());
        Assert.Equal(reference.GetProperty("params_with_auxiliary").GetInt64(), ours.GetProperty("params_with_auxiliary").GetInt64());
        Assert.Equal(reference.GetProperty("macs").GetInt64(), ours.GetProperty("macs").GetInt64());
    }

    [PyTorchTheory]
    [InlineData("shufflenet_v1_g3")]
    [InlineData("shufflenet_v1_g8_x0_5")]
    public void OfficialShuffleNetV1WeightsGiveItsLogits(string model)
    {
        var dir = Directory.CreateTempSubdirectory("shufflev1").FullName;
        Python(model, "--make", dir);
        var csv = Path.Combine(dir, "predicted.csv");
        var (code, _, err) = CliRunner.Run("predict", "--model", model, "--weights", Path.Combine(dir, "model.pth"), "--input", Path.Combine(dir, "x.npy"),
            "--logits", "--top", "1", "--out", csv, "--threads", "1");
        Assert.True(code == 0, err);
        var ours = CsvTable.Read(csv).SelectMany(r => Enumerable.Range(0, 1000).Select(c => float.Parse(r[$"logit_{c}"], CultureInfo.InvariantCulture))).ToArray();
        using var t = NpyFile.LoadFloat32(Path.Combine(dir, "logits.npy"));
        var theirs = t.ToArray<float>();
        double diff = ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(diff < 1e-4, $"{model}: our logits differ from the official layout's by up to {diff:E2}");
    }
}
