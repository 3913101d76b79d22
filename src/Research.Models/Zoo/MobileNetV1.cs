namespace Research.Models.Zoo;

/// <summary>
/// MobileNetV1 (Howard et al. 2017, Table 1): a 3×3/2 conv to 32, thirteen depthwise-separable
/// blocks to 1024, global pooling and a Linear. The width multiplier α scales every width as the
/// paper's code does (max(⌊c·α⌋, 8)); the resolution multiplier is the input size.
/// </summary>
public static class MobileNetV1
{
    // (output channels, stride, repeats) of the depthwise-separable blocks.
    private static readonly (int c, int s, int n)[] Cfg =
        [(64, 1, 1), (128, 2, 1), (128, 1, 1), (256, 2, 1), (256, 1, 1), (512, 2, 1), (512, 1, 5), (1024, 2, 1), (1024, 1, 1)];

    public static NetworkSpec Create(ModelOptions o)
    {
        int Width(int c) => Math.Max((int)(c * o.WidthMultiplier), 8);
        return new NetworkSpec
        {
            Name = "mobilenet_v1",
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(32)}_arelu"),
            Stages = ZooText.Stages(Cfg.Select(b => new[] { ZooText.Block($"ds_r{b.n}_k3_s{b.s}_c{Width(b.c)}_arelu") }).ToArray()),
            Head = new HeadSpec(),
        };
    }
}
