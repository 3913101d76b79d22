namespace Research.Models.Zoo;

/// <summary>MobileNeXt as its official code builds it: sandglass blocks (ReLU6), no head conv, 1280 features.</summary>
public static class MobileNeXt
{
    public static NetworkSpec Create(ModelOptions o)
    {
        int Width(int c) => c == 1280 && o.WidthMultiplier < 1 ? 1280 : Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        (int t, int c, int n, int s)[] cfg = [(2, 96, 1, 2), (6, 144, 1, 1), (6, 192, 3, 2), (6, 288, 3, 2), (6, 384, 4, 1), (6, 576, 4, 2), (6, 960, 3, 1), (6, 1280, 1, 1)];
        return new NetworkSpec
        {
            Name = "mobilenext_1_0",
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(32)}_arelu6"),
            Stages = ZooText.Stages(cfg.Select(x => new[] { ZooText.Block($"sg_r{x.n}_k3_s{x.s}_t{x.t}_c{Width(x.c)}_arelu6") }).ToArray()),
            Head = new HeadSpec { Dropout = 0.2 },
            Init = InitScheme.MobileNet,
        };
    }
}
