using System.Globalization;
using Research.Models.Specs;

namespace Research.Models.Zoo;

/// <summary>Helpers for writing zoo specs in the text form.</summary>
internal static class Z
{
    public static BlockSpec B(string text) => BlockSpec.Parse(text);

    public static EquatableList<EquatableList<BlockSpec>> Stages(params IEnumerable<BlockSpec>[] stages) =>
        stages.Select(s => s.ToEquatableList()).ToEquatableList();

    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>EfficientNet-B0 as torchvision builds it: MBConv with SE 0.25 of the block input, SiLU, head 4 × last width.</summary>
public static class EfficientNet
{
    // (expand, kernel, stride, out, repeats) per stage; input 32 after the stem.
    internal static readonly (int e, int k, int s, int c, int n)[] Stages =
        [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)];

    public static NetworkSpec B0(ModelOptions o)
    {
        int W(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        var stages = Stages.Select(st => new[] { Z.B($"ir_r{st.n}_k{st.k}_s{st.s}_e{st.e}_c{W(st.c)}_se0.25_asilu") });
        return new NetworkSpec
        {
            Name = "efficientnet_b0",
            Stem = Z.B($"cn_r1_k3_s2_c{W(32)}_asilu"),
            Stages = Z.Stages(stages.ToArray()),
            Head = new HeadSpec { ConvChannels = 4 * W(320), ConvActivation = Activation.SiLU, Dropout = 0.2 },
            DropConnect = 0.2,
            Init = InitScheme.EfficientNet,
        };
    }
}

/// <summary>MobileNetV2 as torchvision builds it (ReLU6, last width 1280 × max(1, width)).</summary>
public static class MobileNetV2
{
    public static NetworkSpec Create(ModelOptions o)
    {
        int W(double c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        (int t, int c, int n, int s)[] cfg = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
        return new NetworkSpec
        {
            Name = "mobilenet_v2",
            Stem = Z.B($"cn_r1_k3_s2_c{W(32)}_arelu6"),
            Stages = Z.Stages(cfg.Select(x => new[] { Z.B($"ir_r{x.n}_k3_s{x.s}_e{x.t}_c{W(x.c)}_arelu6") }).ToArray()),
            Head = new HeadSpec { ConvChannels = Rounding.MakeDivisible(1280 * Math.Max(1.0, o.WidthMultiplier), 8), ConvActivation = Activation.ReLU6, Dropout = 0.2 },
            Init = InitScheme.MobileNet,
        };
    }
}

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
        int W(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        var blocks = cfg.Select(b => Z.B($"ir_r1_k{b.k}_s{b.s}_x{W(b.x)}_c{W(b.c)}{(b.se ? "_hse0.25" : "")}_a{(b.hs ? "hswish" : "relu")}")).ToList();
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
            Stem = Z.B($"cn_r1_k3_s2_c{W(16)}_ahswish"),
            Stages = Z.Stages(stages.ToArray()),
            Head = new HeadSpec
            {
                ConvChannels = 6 * W(cfg[^1].c), ConvActivation = Activation.HardSwish,
                HiddenFeatures = W(lastChannel), HiddenActivation = Activation.HardSwish, Dropout = 0.2,
            },
            BnEps = 1e-3,
            BnMomentum = 0.01,
            Init = InitScheme.MobileNet,
        };
    }
}

/// <summary>ShuffleNetV2 as torchvision builds it: stem 24 + max-pool, stages of 4, 8, 4 units, 1×1 conv head.</summary>
public static class ShuffleNetV2
{
    public static NetworkSpec Create(string name, int[] stageChannels, int headChannels) => new()
    {
        Name = name,
        Stem = Z.B("cn_r1_k3_s2_c24_arelu_mp"),
        Stages = Z.Stages(
            [Z.B($"sh_r4_s2_c{stageChannels[0]}_arelu")],
            [Z.B($"sh_r8_s2_c{stageChannels[1]}_arelu")],
            [Z.B($"sh_r4_s2_c{stageChannels[2]}_arelu")]),
        Head = new HeadSpec { ConvChannels = headChannels, ConvActivation = Activation.ReLU },
    };
}

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
        int W(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 4);
        return new NetworkSpec
        {
            Name = "ghostnet_1_0",
            Stem = Z.B($"cn_r1_k3_s2_c{W(16)}_arelu"),
            Stages = Z.Stages(Cfg.Select(st => st.Select(b => Z.B($"gb_r1_k{b.k}_s{b.s}_x{W(b.x)}_c{W(b.c)}{(b.se ? "_hse0.25" : "")}_arelu"))).ToArray()),
            Head = new HeadSpec
            {
                ConvChannels = W(960), ConvActivation = Activation.ReLU,
                HiddenFeatures = 1280, HiddenActivation = Activation.ReLU, HiddenAsConv = true, Dropout = 0.2,
            },
            ChannelDivisor = 4,
        };
    }
}

/// <summary>MobileNeXt as its official code builds it: sandglass blocks (ReLU6), no head conv, 1280 features.</summary>
public static class MobileNeXt
{
    public static NetworkSpec Create(ModelOptions o)
    {
        int W(int c) => c == 1280 && o.WidthMultiplier < 1 ? 1280 : Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        (int t, int c, int n, int s)[] cfg = [(2, 96, 1, 2), (6, 144, 1, 1), (6, 192, 3, 2), (6, 288, 3, 2), (6, 384, 4, 1), (6, 576, 4, 2), (6, 960, 3, 1), (6, 1280, 1, 1)];
        return new NetworkSpec
        {
            Name = "mobilenext_1_0",
            Stem = Z.B($"cn_r1_k3_s2_c{W(32)}_arelu6"),
            Stages = Z.Stages(cfg.Select(x => new[] { Z.B($"sg_r{x.n}_k3_s{x.s}_t{x.t}_c{W(x.c)}_arelu6") }).ToArray()),
            Head = new HeadSpec { Dropout = 0.2 },
            Init = InitScheme.MobileNet,
        };
    }
}
