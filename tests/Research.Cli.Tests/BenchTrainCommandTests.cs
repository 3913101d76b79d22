using System.Globalization;

namespace Research.Cli.Tests;

public class BenchTrainCommandTests
{
    [Fact]
    public void ZooModelTrainsAndPrintsImagesPerSecondLast()
    {
        var (code, output, err) = CliRunner.Run("bench", "train", "--model", "mobilenet_v3_small", "--resolution", "32", "--batch", "8", "--steps", "2",
            "--warmup", "1", "--in-channels", "1", "--classes", "10", "--device", "cpu", "--optimizer", "adamw");
        Assert.True(code == ExitCodes.Ok, err);
        var lines = output.Trim().Split('\n');
        Assert.StartsWith("images_per_s ", lines[^1]);
        var f = CliRunner.Figures(output);
        Assert.True(double.Parse(f["images_per_s"], CultureInfo.InvariantCulture) > 0);
        Assert.True(double.IsFinite(double.Parse(f["final_loss"], CultureInfo.InvariantCulture)));
        Assert.Contains("optimizer adamw", output);
    }

    [Fact]
    public void MobileNetV2HasTorchvisionsParameterCount()
    {
        // torchvision.models.mobilenet_v2(num_classes=1000): 3,504,872 parameters.
        var (code, output, err) = CliRunner.Run("bench", "train", "--model", "mobilenet_v2", "--resolution", "32", "--batch", "2", "--steps", "1",
            "--warmup", "0", "--classes", "1000", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal("3504872", CliRunner.Figures(output)["params"]);
    }

    [Theory]
    [InlineData("--model", "resnet9000")]
    [InlineData("--optimizer", "lbfgs")]
    [InlineData("--batch", "0")]
    public void BadOptionIsBadInput(string option, string value)
    {
        var args = new List<string> { "bench", "train", "--model", "mobilenet_v3_small", "--steps", "1", "--warmup", "0", "--batch", "2", "--resolution", "32" };
        int i = args.IndexOf(option);
        if (i >= 0) args[i + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(value, err);
    }

    [Fact]
    public void PyTorchComparisonRefusesModelsTorchvisionCannotBuild()
    {
        // A spec file is ours alone (the reference builds zoo models with torchvision, widths and small inputs included).
        var spec = Path.Combine(Directory.CreateTempSubdirectory().FullName, "net.yaml");
        File.WriteAllText(spec, "name: net\nin_channels: 3\nclasses: 10\nresolution: 32\nstem: cn_r1_k3_s1_c8_arelu\nstages:\n  - [ir_r1_k3_s2_e2_c16_arelu]\nhead: {conv: 32, conv_act: relu, dropout: 0}\n");
        var (code, _, err) = CliRunner.Run("bench", "train", "--model", spec, "--steps", "1", "--pytorch", Path.Combine(AppContext.BaseDirectory, "Research.Cli.Tests.dll"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("spec file", err);
    }

    [Fact]
    public void PyTorchAloneFindsTheProjectsReferenceScript()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "bench", "pytorch_train_step.py");
        Assert.True(File.Exists(script), $"{script} is not beside the program");
        var missing = CliRunner.Run("bench", "train", "--model", "mobilenet_v2", "--steps", "1", "--pytorch", "/nonexistent/script.py");
        Assert.Equal(ExitCodes.BadInput, missing.Code);
        Assert.Contains("/nonexistent/script.py", missing.Err);
    }

    [Fact]
    public void CudaWithoutAGpuIsBadInputNamingTheDevice()
    {
        if (Research.Torch.torch.cuda.is_available()) return; // on a GPU machine this is valid input
        var (code, _, err) = CliRunner.Run("bench", "train", "--model", "mobilenet_v3_small", "--steps", "1", "--device", "cuda");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("device cuda", err);
    }
}
