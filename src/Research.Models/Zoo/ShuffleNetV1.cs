namespace Research.Models.Zoo;

/// <summary>
/// ShuffleNet v1 (Zhang et al. 2018) as megvii's official code builds it: a 3×3/2 conv + BN +
/// ReLU and a 3×3/2 max-pool, stages of 4, 8 and 4 units (the first of each striding, the very
/// first with an ungrouped 1×1), global pooling and a Linear without bias. Stage widths: the
/// official code's tables for groups 3 and 8 (0.5×–2.0×), the paper's Table 1 for groups 1, 2, 4 (1.0×).
/// </summary>
public static class ShuffleNetV1
{
    /// <summary>(stem, stage 2, stage 3, stage 4) widths by groups and model size.</summary>
    public static readonly IReadOnlyDictionary<(int Groups, string Size), int[]> Widths = new Dictionary<(int, string), int[]>
    {
        [(1, "1.0")] = [24, 144, 288, 576],
        [(2, "1.0")] = [24, 200, 400, 800],
        [(4, "1.0")] = [24, 272, 544, 1088],
        [(3, "0.5")] = [12, 120, 240, 480],
        [(3, "1.0")] = [24, 240, 480, 960],
        [(3, "1.5")] = [24, 360, 720, 1440],
        [(3, "2.0")] = [48, 480, 960, 1920],
        [(8, "0.5")] = [16, 192, 384, 768],
        [(8, "1.0")] = [24, 384, 768, 1536],
        [(8, "1.5")] = [24, 576, 1152, 2304],
        [(8, "2.0")] = [48, 768, 1536, 3072],
    };

    public static string Name(int groups, string size) => size == "1.0" ? $"shufflenet_v1_g{groups}" : $"shufflenet_v1_g{groups}_x{size.Replace('.', '_')}";

    public static NetworkSpec Create(int groups, string size)
    {
        var w = Widths[(groups, size)];
        return new NetworkSpec
        {
            Name = Name(groups, size),
            Stem = ZooText.Block($"cn_r1_k3_s2_c{w[0]}_arelu_mp"),
            Stages = ZooText.Stages(
                [ZooText.Block($"su_r4_k3_s2_g{groups}_c{w[1]}_arelu_densein")],
                [ZooText.Block($"su_r8_k3_s2_g{groups}_c{w[2]}_arelu")],
                [ZooText.Block($"su_r4_k3_s2_g{groups}_c{w[3]}_arelu")]),
            Head = new HeadSpec { ClassifierBias = false },
        };
    }
}
