namespace Research.Models.Zoo;

/// <summary>MobileNetV3 as torchvision builds it: explicit expanded widths, hard SE, BN eps 1e-3 / momentum 0.01.</summary>
public static class MobileNetV3
{
    // (in, kernel, expanded, out, se, hswish, stride) per bneck, torchvision's table.
    private static readonly (int k, int x, int c, bool se, bool hs, int s)[] LargeCfg =
    [
        (3, 16, 16, false, false, 1), (3, 64, 24, false, false, 2), (3, 72, 24, false, false, 1),
        (5, 72, 40, true, false, 2), (5, 120, 40, true, false, 1), (5, 120, 40, true, false, 1),
        (3, 240, 80, false, true, 2), (3, 200, 80, false, true, 1), (3, 184, 80, false, true, 1), (3, 184, 80, false, true, 1),
        (3, 480, 112, true, true, 1), (3, 672, 112, true, true, 1),
        (5, 672, 160, true, true, 2), (5, 960, 160, true, true, 1), (5, 960, 160, true, true, 1),
    ];

    private static readonly (int k, int x, int c, bool se, bool hs, int s)[] SmallCfg =
    [
        (3, 16, 16, true, false, 2),
        (3, 72, 24, false, false, 2), (3, 88, 24, false, false, 1),
        (5, 96, 40, true, true, 2), (5, 240, 40, true, true, 1), (5, 240, 40, true, true, 1),
        (5, 120, 48, true, true, 1), (5, 144, 48, true, true, 1),
        (5, 288, 96, true, true, 2), (5, 576, 96, true, true, 1), (5, 576, 96, true, true, 1),
    ];

    public static NetworkSpec Large(ModelOptions o) => Create("mobilenet_v3_large", LargeCfg, [1, 2, 3, 4, 2, 3], 1280, o);
    public static NetworkSpec Small(ModelOptions o) => Create("mobilenet_v3_small", SmallCfg, [1, 2, 3, 2, 3], 1024, o);

    private static NetworkSpec Create(string name, (int k, int x, int c, bool se, bool hs, int s)[] cfg, int[] stageSizes, int lastChannel, ModelOptions o)
    {
        int Width(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        var blocks = cfg.Select(b => ZooText.Block($"ir_r1_k{b.k}_s{b.s}_x{Width(b.x)}_c{Width(b.c)}{(b.se ? "_hse0.25" : "")}_a{(b.hs ? "hswish" : "relu")}")).ToList();
        var stages = new List<BlockSpec[]>();
        int at = 0;
        foreach (int n in stageSizes)
        {
            stages.Add(blocks.Skip(at).Take(n).ToArray());
            at += n;
        }
        return new NetworkSpec
        {
            Name = name,
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(16)}_ahswish"),
            Stages = ZooText.Stages(stages.ToArray()),
            Head = new HeadSpec
            {
                ConvChannels = 6 * Width(cfg[^1].c), ConvActivation = Activation.HardSwish,
                HiddenFeatures = Width(lastChannel), HiddenActivation = Activation.HardSwish, Dropout = 0.2,
            },
            BnEps = 1e-3,
            BnMomentum = 0.01,
            Init = InitScheme.MobileNet,
        };
    }
}
