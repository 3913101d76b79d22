using Research.Models.Blocks;
using Research.Models.Networks;

namespace Research.Models.Tests;

public class BlockRuleTests
{
    private static readonly BlockContext Ctx = new(1e-5, 0.1, 8);

    [Theory]
    [InlineData("ir_r1_k3_s1_e6_c24_arelu6", 24, true)]   // stride 1, in = out: identity shortcut
    [InlineData("ir_r1_k3_s2_e6_c24_arelu6", 24, false)]  // stride 2: none
    [InlineData("ir_r1_k3_s1_e6_c32_arelu6", 24, false)]  // widths differ: none
    [InlineData("ir_r1_k3_s1_e6_c24_arelu6_noskip", 24, false)]
    public void InvertedResidualShortcutRules(string text, int inChannels, bool residual)
    {
        using var b = new InvertedResidual(inChannels, BlockSpec.Parse(text), BlockSpec.Parse(text).Stride, Ctx);
        Assert.Equal(residual, b.HasResidual);
    }

    [Fact]
    public void NoExpansionConvWhenTheRatioIsOne()
    {
        using var b = new InvertedResidual(32, BlockSpec.Parse("ir_r1_k3_s1_e1_c16_se0.25_asilu"), 1, Ctx);
        Assert.Null(b.Expand);
        Assert.Equal(8, b.SE!.Squeeze); // EfficientNet: max(1, 32 // 4)
    }

    [Fact]
    public void HardSqueezeExciteRoundsTheExpandedWidth()
    {
        using var b = new InvertedResidual(24, BlockSpec.Parse("ir_r1_k5_s2_x72_c40_hse0.25_arelu"), 2, Ctx);
        Assert.Equal(24, b.SE!.Squeeze); // MobileNetV3: make_divisible(72 // 4, 8)
    }

    [Theory]
    [InlineData(192, 192, 1, true)]
    [InlineData(192, 288, 2, false)]
    [InlineData(288, 384, 1, false)]
    public void SandglassShortcutRules(int inC, int outC, int stride, bool residual)
    {
        var spec = BlockSpec.Parse($"sg_r3_k3_s{stride}_t6_c{outC}_arelu6");
        using var b = new Sandglass(new BlockPlace(inC, spec, 0), Ctx);
        Assert.Equal(residual, b.HasResidual);
        Assert.Equal(inC == outC, b.DepthwiseIn is not null);   // the official code drops the first depthwise when widths change
        Assert.Equal(inC == outC || stride == 2, b.DepthwiseOut is not null);
    }

    [Fact]
    public void SandglassHiddenWidthFollowsTheOfficialRule()
    {
        Assert.Equal(16, Sandglass.HiddenChannels(32, 96, 2));    // 32 // 2
        Assert.Equal(32, Sandglass.HiddenChannels(96, 144, 6));   // 16 < 144/6 → make_divisible(24, 16)
        Assert.Equal(208, Sandglass.HiddenChannels(960, 1280, 6)); // make_divisible(ceil(1280/6) = 214, 16)
    }

    [Fact]
    public void GhostBottleneckShortcuts()
    {
        var ctx = Ctx with { ChannelDivisor = 4 };
        using var same = new GhostBottleneck(16, BlockSpec.Parse("gb_r1_k3_s1_x16_c16_arelu"), 1, ctx);
        Assert.True(same.IdentityShortcut);
        Assert.Null(same.Shortcut);
        using var down = new GhostBottleneck(24, BlockSpec.Parse("gb_r1_k5_s2_x72_c40_hse0.25_arelu"), 2, ctx);
        Assert.False(down.IdentityShortcut);
        Assert.NotNull(down.Shortcut);
        Assert.NotNull(down.Depthwise);
        Assert.Equal(20, down.SE!.Squeeze); // make_divisible(72 * 0.25, 4)
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 40, 8, 8 }, down.call(torch.randn(2, 24, 16, 16)).shape);
    }

    [Fact]
    public void GhostModuleSlicesOddWidths()
    {
        using var g = new GhostModule(8, 7, relu: true, Ctx);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 1, 7, 5, 5 }, g.call(torch.randn(1, 8, 5, 5)).shape);
    }

    /// <summary>On NHWC input the shuffle permutes the same channels and keeps the layout (no NCHW tensor downstream).</summary>
    [Fact]
    public void ChannelShuffleKeepsChannelsLastAndMatchesNchw()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 6, 3, 4);
        var expected = ShuffleV2Unit.ChannelShuffle(x, 2);
        Assert.True(expected.is_contiguous());
        var got = ShuffleV2Unit.ChannelShuffle(x.to_channels_last(), 2);
        Assert.True(got.is_channels_last());
        Assert.False(got.is_contiguous());
        Assert.True(got.equal(expected));
        Assert.True(ShuffleV2Unit.ChannelShuffle(x.to_channels_last(), 3).equal(ShuffleV2Unit.ChannelShuffle(x, 3)));
    }

    [Theory]
    [InlineData(2, 2)]   // two groups: shuffling twice restores the order
    [InlineData(4, 2)]   // (4 groups of 2): transposing twice restores it too
    [InlineData(3, 4)]
    public void ChannelShuffleCyclesBackToTheInput(int groups, int perGroup)
    {
        using var scope = torch.NewDisposeScope();
        long c = groups * perGroup;
        var x = torch.arange(0, c, dtype: torch.float32).view(1, c, 1, 1);
        var once = ShuffleV2Unit.ChannelShuffle(x, groups);
        Assert.False(once.equal(x));
        // Shuffling with g groups then with c/g groups is the inverse permutation.
        Assert.True(ShuffleV2Unit.ChannelShuffle(once, perGroup).equal(x));
        if (groups == perGroup) Assert.True(ShuffleV2Unit.ChannelShuffle(once, groups).equal(x));
        // The first application interleaves: channel i·perGroup + j moves to j·groups + i.
        var order = once.flatten().ToArray<float>();
        for (int i = 0; i < groups; i++)
            for (int j = 0; j < perGroup; j++)
                Assert.Equal(i * perGroup + j, order[j * groups + i]);
    }

    [Fact]
    public void StrideOneShuffleUnitNeedsEqualWidths()
    {
        var e = Assert.Throws<ArgumentException>(() => new ShuffleV2Unit(48, BlockSpec.Parse("sh_r1_s1_c64_arelu"), 1, Ctx));
        Assert.Contains("sh_r1_k3_s1_c64_arelu", e.Message.Replace("sh_r1_s1", "sh_r1_k3_s1"));
    }

    [Fact]
    public void DropConnectIsIdentityInEvalAndZeroesWholeSamplesInTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.ones(64, 2, 3, 3);
        Assert.True(DropConnect.Apply(x, 0.5, training: false).equal(x));
        var y = DropConnect.Apply(x, 0.5, training: true);
        var perSample = y.sum([1L, 2L, 3L]).ToArray<float>();
        Assert.All(perSample, s => Assert.True(s == 0 || Math.Abs(s - 36) < 1e-4, $"sample sum {s}"));
        Assert.Contains(perSample, s => s == 0);
        Assert.Contains(perSample, s => s > 0);
    }
}
