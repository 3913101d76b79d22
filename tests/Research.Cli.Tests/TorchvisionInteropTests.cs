using System.Diagnostics;
using System.Globalization;
using Research.Core.Csv;
using Research.Torch.IO;

namespace Research.Cli.Tests;

/// <summary>
/// Weights cross between PyTorch and us both ways, for every torchvision family in the zoo:
/// a state dict torch.save wrote loads under torchvision's names and `research predict --logits`
/// gives torchvision's logits to 1e-4; our export under torchvision's names loads into
/// torchvision with strict=True and gives the same logits back.
/// </summary>
public class TorchvisionInteropTests
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "assets", "torchvision_interop.py");

    private static void Python(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python {string.Join(' ', args)}: {err.Result}");
    }

    private static float[] Logits(string csv, int classes) =>
        CsvTable.Read(csv).SelectMany(r => Enumerable.Range(0, classes).Select(c => float.Parse(r[$"logit_{c}"], CultureInfo.InvariantCulture))).ToArray();

    private static float[] Npy(string path)
    {
        using var t = NpyFile.LoadFloat32(path);
        return t.ToArray<float>();
    }

    [PyTorchTheory]
    [InlineData("efficientnet_b0")]
    [InlineData("mobilenet_v2")]
    [InlineData("mobilenet_v3_large")]
    [InlineData("mobilenet_v3_small")]
    [InlineData("shufflenet_v2_x0_5")]
    [InlineData("shufflenet_v2_x1_0")]
    public void TorchvisionWeightsGiveTorchvisionLogitsAndOursLoadStrictlyIntoTorchvision(string model)
    {
        var dir = Directory.CreateTempSubdirectory("interop").FullName;
        Python("make", model, dir);
        var csv = Path.Combine(dir, "predicted.csv");
        // The batch is 64x64 (fast); --resolution says so, as predict takes only the input size the model is built for.
        var (code, _, err) = CliRunner.Run("predict", "--model", model, "--resolution", "64", "--weights", Path.Combine(dir, "model.pth"), "--input", Path.Combine(dir, "x.npy"),
            "--logits", "--top", "1", "--out", csv, "--threads", "1");
        Assert.True(code == 0, err);
        var ours = Logits(csv, 1000);
        var theirs = Npy(Path.Combine(dir, "logits.npy"));
        double diff = ours.Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(diff < 1e-4, $"{model}: our logits differ from torchvision's by up to {diff:E2}");

        var exported = Path.Combine(dir, "ours.safetensors");
        (code, _, err) = CliRunner.Run("export", "--model", model, "--weights", Path.Combine(dir, "model.pth"), "--format", "safetensors", "--names", "torchvision",
            "--out", exported);
        Assert.True(code == 0, err);
        Python("check", model, exported, Path.Combine(dir, "x.npy"), Path.Combine(dir, "back.npy"));
        double back = Npy(Path.Combine(dir, "back.npy")).Zip(theirs, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(back < 1e-5, $"{model}: torchvision on our export differs by {back:E2}");
    }

    [PyTorchFact]
    public void InitFromTorchvisionWeightsSkipsAnotherClassCountAndRefusesOtherShapes()
    {
        var dir = Directory.CreateTempSubdirectory("init").FullName;
        Python("make", "mobilenet_v2", dir);
        var pth = Path.Combine(dir, "model.pth");
        var (code, output, err) = CliRunner.Run("train", "--model", "mobilenet_v2", "--in-channels", "3", "--dataset", "synthetic", "--subset", "64", "--epochs", "1",
            "--batch", "32", "--init-from", pth, "--threads", "1", "--out", Path.Combine(dir, "fine"));
        Assert.True(code == 0, err);
        Assert.Contains("init_from", output);
        Assert.Contains("(torchvision names)", output);
        Assert.Contains("classifier.weight: file [1000, 1280], model [10, 1280]", output);
        // A grayscale model cannot take the RGB stem: bad input naming the tensor and both shapes, nothing trained.
        (code, _, err) = CliRunner.Run("train", "--model", "mobilenet_v2", "--dataset", "synthetic", "--subset", "64", "--epochs", "1", "--init-from", pth,
            "--out", Path.Combine(dir, "gray"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("tensor 'features.0.0.weight' (our stem.conv.weight): file [32, 3, 3, 3], model [32, 1, 3, 3]", err);
        Assert.Contains("in_channels 3", err);
        Assert.False(File.Exists(Path.Combine(dir, "gray", "checkpoint.safetensors")));
    }
}
