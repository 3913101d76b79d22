using System.Text.Json;

namespace Research.Cli.Tests;

public class ModelsCommandTests
{
    [Fact]
    public void ListShowsEveryRegisteredModelWithItsCounts()
    {
        var (code, output, err) = CliRunner.Run("models", "list");
        Assert.True(code == ExitCodes.Ok, err);
        foreach (var name in new[] { "efficientnet_b0", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "shufflenet_v2_x0_5",
                     "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "ghostnet_1_0", "mobilenext_1_0" })
            Assert.Contains(name, output);
        Assert.Contains("5,288,548", output);
    }

    [Fact]
    public void KindsListsEveryRegisteredBlockKindWithItsTokensAndAnExample()
    {
        var (code, output, err) = CliRunner.Run("models", "kinds");
        Assert.True(code == ExitCodes.Ok, err);
        foreach (var kind in Research.Models.Blocks.BlockKindRegistry.Default.Kinds)
            Assert.Contains(kind.Description, output);
        Assert.Contains("su_r4_k3_s2_g3_c240_arelu_densein", output);
        Assert.Contains("r s c k g a densein", output);
    }

    [Fact]
    public void ShowJsonHasNameResolutionParamsAndMacs()
    {
        var (code, output, err) = CliRunner.Run("models", "show", "efficientnet_b0", "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        var j = JsonDocument.Parse(output).RootElement;
        Assert.Equal("efficientnet_b0", j.GetProperty("name").GetString());
        Assert.Equal(224, j.GetProperty("resolution").GetInt32());
        Assert.Equal(5_288_548, j.GetProperty("params").GetInt64());
        Assert.Equal(385_814_752, j.GetProperty("macs").GetInt64());
        Assert.Equal(j.GetProperty("params").GetInt64(), j.GetProperty("parts").EnumerateArray().Sum(p => p.GetProperty("params").GetInt64()));
    }

    [Fact]
    public void ShowTableAppliesClassesChannelsResolutionAndWidth()
    {
        var (code, output, err) = CliRunner.Run("models", "show", "mobilenet_v2", "--classes", "10", "--in-channels", "1", "--resolution", "32",
            "--width-mult", "0.5", "--small-input");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("input 1x32x32 (small-input stem), classes 10", output);
        Assert.Contains("stage7", output);
        var f = CliRunner.Figures(output);
        Assert.True(long.Parse(f["params"]) < 1_968_680);
    }

    [Fact]
    public void ShowReadsASpecFileAndReportsItsErrorsWithTheLine()
    {
        var dir = Directory.CreateTempSubdirectory();
        var good = Path.Combine(dir.FullName, "net.yaml");
        var (c1, yaml, _) = CliRunner.Run("models", "show", "shufflenet_v2_x0_5", "--format", "json");
        Assert.Equal(0, c1);
        File.WriteAllText(good, Research.Models.Specs.SpecYaml.ToYaml(Research.Models.Zoo.ModelRegistry.Default.Create("shufflenet_v2_x0_5")));
        var (code, output, err) = CliRunner.Run("models", "show", good, "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(1_366_792, JsonDocument.Parse(output).RootElement.GetProperty("params").GetInt64());

        var bad = Path.Combine(dir.FullName, "bad.yaml");
        File.WriteAllText(bad, File.ReadAllText(good).Replace("sh_r8_s2_c96_arelu", "sh_r8_s2_c96_arelu_wat"));
        var (badCode, _, badErr) = CliRunner.Run("models", "show", bad);
        Assert.Equal(ExitCodes.BadInput, badCode);
        Assert.Contains("bad.yaml:", badErr);
        Assert.Contains("'wat'", badErr);
    }

    [Fact]
    public void ShowMeasuresLatencyWhenAsked()
    {
        var (code, output, err) = CliRunner.Run("models", "show", "mobilenet_v3_small", "--resolution", "32", "--latency-batch", "2", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        double ms = double.Parse(CliRunner.Figures(output)["latency_ms"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ms > 0 && double.IsFinite(ms));
        // The default engine, and how it ran this graph (mobilenet_v3_small's hard-swish on 120 channels keeps it off oneDNN).
        Assert.StartsWith("libtorch (frozen (HardSwish", CliRunner.Figures(output)["latency_engine"]);
        (code, output, err) = CliRunner.Run("models", "show", "mobilenet_v3_small", "--resolution", "32", "--latency-batch", "2", "--engine", "onnxruntime", "--format", "json");
        Assert.True(code == ExitCodes.Ok, err);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("onnxruntime", json.RootElement.GetProperty("latency_engine").GetString());
        Assert.True(json.RootElement.GetProperty("latency_ms").GetDouble() > 0);
    }

    [Fact]
    public void UnknownModelIsBadInputListingTheRegisteredOnes()
    {
        var (code, _, err) = CliRunner.Run("models", "show", "resnet50");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("'resnet50'", err);
        Assert.Contains("ghostnet_1_0", err);
    }
}
