namespace Research.Models.Zoo;

/// <summary>EfficientNet-B0 as torchvision builds it: MBConv with SE 0.25 of the block input, SiLU, head 4 × last width.</summary>
public static class EfficientNet
{
    // (expand, kernel, stride, out, repeats) per stage; input 32 after the stem.
    internal static readonly (int e, int k, int s, int c, int n)[] Stages =
        [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)];

    public static NetworkSpec B0(ModelOptions o)
    {
        int Width(int c) => Rounding.MakeDivisible(c * o.WidthMultiplier, 8);
        var stages = Stages.Select(st => new[] { ZooText.Block($"ir_r{st.n}_k{st.k}_s{st.s}_e{st.e}_c{Width(st.c)}_se0.25_asilu") });
        return new NetworkSpec
        {
            Name = "efficientnet_b0",
            Stem = ZooText.Block($"cn_r1_k3_s2_c{Width(32)}_asilu"),
            Stages = ZooText.Stages(stages.ToArray()),
            Head = new HeadSpec { ConvChannels = 4 * Width(320), ConvActivation = Activation.SiLU, Dropout = 0.2 },
            DropConnect = 0.2,
            Init = InitScheme.EfficientNet,
        };
    }

    /// <summary>
    /// B1–B7 as torchvision builds them: B0 grown by the official table (width, depth, resolution,
    /// dropout), with BN eps 1e-3 and momentum 0.01 from B5 on (weights ported from TensorFlow).
    /// </summary>
    public static NetworkSpec Member(int index, ModelOptions o)
    {
        var member = Scaling.ScalingTable.EfficientNet.Members[index];
        var spec = Scaling.CompoundScaler.Scale(B0(o), member with { Name = $"efficientnet_b{index}" });
        return index >= 5 ? spec with { BnEps = 1e-3, BnMomentum = 0.01 } : spec;
    }
}
