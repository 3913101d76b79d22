namespace Research.Cli.Tests;

/// <summary>Bad block and op input names the file, the place and the token, with exit code 2 and nothing written.</summary>
public class BlockKindBadInputTests
{
    private static string Write(string name, string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("bad-kind").FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AShuffleNetV1SpecWhoseChannelsDoNotDivideByItsGroups()
    {
        var spec = Write("bad.yaml", "name: bad\nstem: cn_r1_k3_s2_c24_arelu_mp\nstages:\n  - [su_r4_k3_s2_g8_c264_arelu_densein]\nhead: {}\n");
        var (code, _, err) = CliRunner.Run("models", "show", spec);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{spec}:4", err);
        Assert.Contains("su_r4_k3_s2_g8_c264_arelu_densein", err);
        Assert.Contains("c/4 = 66 does not divide into g8 groups", err);
    }

    [Fact]
    public void AGenotypeNamingAnOpItsTableLacks()
    {
        var genotype = Write("g.json", """
            {"name": "g", "genotype": {"normal": ["sep_conv_3x3@0", "sep_conv_7x7@1"], "normal_concat": [2],
              "reduce": ["max_pool_3x3@0", "max_pool_3x3@1"], "reduce_concat": [2],
              "ops": {"sep_conv_3x3": "sp_k3", "max_pool_3x3": "max_pool_k3"}}}
            """);
        var (code, _, err) = CliRunner.Run("models", "show", genotype);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(genotype, err);
        Assert.Contains("unknown op 'sep_conv_7x7'", err);
    }

    [Fact]
    public void ADilatedOpWithAnEvenKernel()
    {
        var space = Write("space.yaml", """
            name: bad
            ops:
              none: none
              skip_connect: skip
              dil_conv_4x4: dl_k4_d2
            nodes: 2
            supernet: {cells: 2, channels: 8}
            network: {cells: 2, channels: 8}
            """);
        var outDir = Path.Combine(Path.GetDirectoryName(space)!, "out");
        var (code, _, err) = CliRunner.Run("search", "darts", "--space", space, "--dataset", "synthetic", "--subset", "32", "--epochs", "1", "--out", outDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{space}:5", err);
        Assert.Contains("ops.dil_conv_4x4", err);
        Assert.Contains("token 'k4'", err);
        Assert.Contains("kernel must be odd", err);
        Assert.False(Directory.Exists(outDir));
    }
}
