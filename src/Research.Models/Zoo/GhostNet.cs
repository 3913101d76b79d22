namespace Research.Models.Zoo;

/// <summary>GhostNet as its official code builds it: widths rounded to 4, hard SE, a biased 1×1 conv to 1280 in the head.</summary>
public static class GhostNet
{
    // (kernel, mid, out, se, stride) for the 16 bottlenecks, grouped in the official stages.
    private static readonly (int k, int x, int c, bool se, int s)[][] Cfg =
    [
        [(3, 16, 16, false, 1)],
        [(3, 48, 24, false, 2)],
        [(3, 72, 24, false, 1)],
        [(5, 72, 40, true, 2)],
        [(5, 120, 40, true, 1)],
        [(3, 240, 80, false, 2)],
        [(3, 200, 80, false, 1), (3, 184, 80, false, 1), (3, 184, 80, false, 1), (3, 480, 112, true, 1), (3, 672, 112, true, 1)],
        [(5, 672, 160, true, 2)],
        [(5, 960, 160, false, 1), (5, 960, 160, true, 1), (5, 960, 160, false, 1), (5, 960, 160, true, 1)],
    ];

    public static NetworkSpec Create(ModelOptions o)
    {
        int Width(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 4);
        return new NetworkSpec
        {
            Name = "ghostnet_1_0",
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(16)}_arelu"),
            Stages = ZooText.Stages(Cfg.Select(st => st.Select(b => ZooText.Block($"gb_r1_k{b.k}_s{b.s}_x{Width(b.x)}_c{Width(b.c)}{(b.se ? "_hse0.25" : "")}_arelu"))).ToArray()),
            Head = new HeadSpec
            {
                ConvChannels = Width(960), ConvActivation = Activation.ReLU,
                HiddenFeatures = 1280, HiddenActivation = Activation.ReLU, HiddenAsConv = true, Dropout = 0.2,
            },
            ChannelDivisor = 4,
        };
    }
}
