namespace Research.Models.Tests;

public class SpecTextTests
{
    public static TheoryData<string> Models() => new(ModelRegistry.Default.Entries.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void EveryZooBlockRoundTripsThroughText(string name)
    {
        var spec = ModelRegistry.Default.Create(name);
        foreach (var b in spec.Blocks.Append(spec.Stem))
        {
            var text = b.ToString();
            Assert.Equal(b, BlockSpec.Parse(text));
            Assert.Equal(text, BlockSpec.Parse(text).ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EveryZooSpecRoundTripsThroughYaml(string name)
    {
        var spec = ModelRegistry.Default.Create(name, new ModelOptions { Classes = 10, SmallInput = true, Resolution = 32 });
        var back = SpecYaml.Parse(SpecYaml.ToYaml(spec));
        Assert.Equal(spec, back);
        Assert.Equal(SpecYaml.ToYaml(spec), SpecYaml.ToYaml(back));
    }

    [Theory]
    [InlineData("ir_r2_k3_s2_e6_c24_se0.25_asilu")]
    [InlineData("ir_r1_k5_s1_x72_c40_hse0.25_arelu")]
    [InlineData("sg_r3_k3_s2_t6_c192_arelu6")]
    [InlineData("gb_r1_k5_s2_x72_c40_hse0.25_arelu")]
    [InlineData("sh_r4_s2_c116_arelu")]
    [InlineData("ds_r1_k3_s1_c64_arelu")]
    [InlineData("cn_r1_k3_s2_c24_arelu_mp")]
    [InlineData("ir_r1_k3_s1_e1_c16_ahswish_noskip")]
    public void CanonicalTextRoundTrips(string text) => Assert.Equal(text, BlockSpec.Parse(text).ToString());

    [Fact]
    public void ParsesTheFieldsOfATimmStyleString()
    {
        var b = BlockSpec.Parse("ir_r2_k3_s2_e6_c24_se0.25_asilu");
        Assert.Same(Research.Models.Blocks.BlockKinds.InvertedResidual, b.Kind);
        Assert.Equal((2, 3, 2, 6.0, 24), (b.Repeats, b.Kernel, b.Stride, b.Expansion!.Value, b.OutChannels));
        Assert.Equal(new SqueezeExcite(0.25, false), b.SE);
        Assert.Equal(Activation.SiLU, b.Activation);
    }

    [Theory]
    [InlineData("ir_r2_k3_q5_c24", "'q5'", "token 4")]
    [InlineData("zz_r1_c8", "'zz'", "token 1")]
    [InlineData("ir_r1_k3_s1_e6", "missing output channels", null)]
    [InlineData("ir_rx_c8", "'rx'", "token 2")]
    [InlineData("ir_r1_k4_c8", "'k4'", "odd")]
    [InlineData("ir_r1_c8_c16", "'c16'", "twice")]
    [InlineData("ir_r1_c8_abanana", "'banana'", "activation")]
    [InlineData("ir_r1__c8", "empty token", "token 3")]
    [InlineData("sg_r1_c8", "need t", null)]
    [InlineData("sh_r1_s2_c8_se0.25", "squeeze-excite", null)]
    [InlineData("ir_r1_e6_x64_c8", "not both", null)]
    [InlineData("ir_r1_s3_c8", "stride", null)]
    [InlineData("ir_r1_c8_se1.5", "'se1.5'", "(0, 1]")]
    public void MalformedTextIsAnErrorNamingTheToken(string text, string mentions, string? alsoMentions)
    {
        var e = Assert.Throws<SpecFormatException>(() => BlockSpec.Parse(text));
        Assert.Contains(mentions, e.Message);
        Assert.Contains($"'{text}'", e.Message);
        if (alsoMentions is not null) Assert.Contains(alsoMentions, e.Message);
    }

    [Fact]
    public void YamlErrorsNameTheFileLineAndKey()
    {
        var good = SpecYaml.ToYaml(ModelRegistry.Default.Create("mobilenet_v2"));
        var unknown = Assert.Throws<SpecFormatException>(() => SpecYaml.Parse(good + "colour: blue\n", "net.yaml"));
        Assert.Contains("net.yaml:", unknown.Message);
        Assert.Contains("colour: unknown key", unknown.Message);
        var badType = Assert.Throws<SpecFormatException>(() => SpecYaml.Parse(good.Replace("classes: 1000", "classes: many"), "net.yaml"));
        Assert.Matches(@"net\.yaml:3: classes: must be an integer", badType.Message);
        var badBlock = Assert.Throws<SpecFormatException>(() => SpecYaml.Parse(good.Replace("ir_r2_k3_s2_e6_c24_arelu6", "ir_r2_k3_s2_z6_c24_arelu6"), "net.yaml"));
        Assert.Contains("'z6'", badBlock.Message);
        Assert.Contains("net.yaml:", badBlock.Message);
    }

    [Fact]
    public void SpecsHaveValueEquality()
    {
        var a = ModelRegistry.Default.Create("efficientnet_b0");
        var b = ModelRegistry.Default.Create("efficientnet_b0");
        Assert.Equal(a, b);
        Assert.NotEqual(a, a with { Resolution = 240 });
        Assert.NotEqual(a, ModelRegistry.Default.Create("efficientnet_b0", new ModelOptions { WidthMultiplier = 1.1 }));
    }
}
