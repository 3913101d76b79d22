namespace Research.Models.Zoo;

/// <summary>MobileNetV2 as torchvision builds it (ReLU6, last width 1280 × max(1, width)).</summary>
public static class MobileNetV2
{
    public static NetworkSpec Create(ModelOptions o)
    {
        int Width(double c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        (int t, int c, int n, int s)[] cfg = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
        return new NetworkSpec
        {
            Name = "mobilenet_v2",
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(32)}_arelu6"),
            Stages = ZooText.Stages(cfg.Select(x => new[] { ZooText.Block($"ir_r{x.n}_k3_s{x.s}_e{x.t}_c{Width(x.c)}_arelu6") }).ToArray()),
            Head = new HeadSpec { ConvChannels = Rounding.MakeDivisible(1280 * Math.Max(1.0, o.WidthMultiplier), 8), ConvActivation = Activation.ReLU6, Dropout = 0.2 },
            Init = InitScheme.MobileNet,
        };
    }
}
