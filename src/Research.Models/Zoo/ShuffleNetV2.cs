namespace Research.Models.Zoo;

/// <summary>ShuffleNetV2 as torchvision builds it: stem 24 + max-pool, stages of 4, 8, 4 units, 1×1 conv head.</summary>
public static class ShuffleNetV2
{
    public static NetworkSpec Create(string name, int[] stageChannels, int headChannels) => new()
    {
        Name = name,
        Stem = ZooText.Block("cn_r1_k3_s2_c24_arelu_mp"),
        Stages = ZooText.Stages(
            [ZooText.Block($"sh_r4_s2_c{stageChannels[0]}_arelu")],
            [ZooText.Block($"sh_r8_s2_c{stageChannels[1]}_arelu")],
            [ZooText.Block($"sh_r4_s2_c{stageChannels[2]}_arelu")]),
        Head = new HeadSpec { ConvChannels = headChannels, ConvActivation = Activation.ReLU },
    };
}
