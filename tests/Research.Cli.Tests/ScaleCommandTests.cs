using System.Text.Json;

namespace Research.Cli.Tests;

public class ScaleCommandTests
{
    [Fact]
    public void EfficientNetTableGivesTorchvisionsB0ToB7()
    {
        var (code, output, err) = CliRunner.Run("scale", "--base", "efficientnet_b0", "--table", "efficientnet", "--phi", "0-7", "--classes", "1000", "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(8, rows.Count);
        long[] torchvision = [5_288_548, 7_794_184, 9_109_994, 12_233_232, 19_341_616, 30_389_784, 43_040_704, 66_347_960];
        for (int i = 0; i < 8; i++) Assert.Equal(torchvision[i], rows[i].GetProperty("params").GetInt64());
        Assert.Equal(600, rows[7].GetProperty("resolution").GetInt32());
        Assert.Equal(1.0, rows[0].GetProperty("macs_ratio").GetDouble(), 9);
    }

    [Fact]
    public void FormulaModeReportsThePredictedRatioAndWritesSpecs()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var (code, output, err) = CliRunner.Run("scale", "--base", "mobilenet_v2", "--alpha", "1.2", "--beta", "1.1", "--gamma", "1.15", "--phi", "0,1,2.5",
            "--format", "csv", "--out", dir);
        Assert.True(code == ExitCodes.Ok, err);
        var lines = output.Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        var phi1 = lines[2].Split(',');
        double measured = double.Parse(phi1[8], System.Globalization.CultureInfo.InvariantCulture);
        double predicted = double.Parse(phi1[9], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1.2 * 1.1 * 1.1 * 1.15 * 1.15, predicted, 9);
        // Rounding (ceil of small repeat counts, channels to 8, resolution to 8) puts it above the formula.
        Assert.InRange(measured / predicted, 1.0, 1.25);
        Assert.Equal(3, Directory.GetFiles(dir, "*.yaml").Length);
        Assert.True(File.Exists(Path.Combine(dir, "scale.csv")));
        // The written spec scales again as a base.
        var spec = Directory.GetFiles(dir, "*.yaml").Order().Last();
        var (c2, _, e2) = CliRunner.Run("models", "show", spec, "--format", "json");
        Assert.True(c2 == ExitCodes.Ok, e2);
    }

    [Fact]
    public void AskingForBothModesShowsTheirDisagreement()
    {
        var (code, output, err) = CliRunner.Run("scale", "--base", "efficientnet_b0", "--table", "efficientnet", "--alpha", "1.2", "--beta", "1.1", "--gamma", "1.15");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("formula_depth", output);
        Assert.Contains("not α^φ", output);
    }

    [Theory]
    [InlineData("--alpha", "1.2")]               // formula needs all three
    [InlineData("--phi", "7-2")]
    [InlineData("--table", "resnet")]
    public void BadArgumentsAreBadInput(string option, string value)
    {
        var args = new List<string> { "scale", "--base", "efficientnet_b0" };
        if (option != "--table") args.AddRange(["--table", "efficientnet"]);
        args.AddRange([option, value]);
        if (option == "--alpha") args.RemoveRange(3, 2);
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.NotEmpty(err);
    }
}
