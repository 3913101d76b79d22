namespace Research.Models.Weights;

/// <summary>
/// torchvision's ShuffleNetV2: conv1 the stem (conv, BN); stage2–stage4 the units, each with
/// branch1 (stride 2 only: depthwise conv, BN, 1×1 conv, BN) and branch2 (1×1 conv, BN, ReLU,
/// depthwise conv, BN, 1×1 conv, BN, ReLU: the ReLUs take indices 2 and 7); conv5 the 1×1 head; fc.
/// </summary>
internal static class TorchvisionShuffleNetV2Names
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Torchvision);
        // With the max-pool, our stem is a Sequential of [ConvBnAct, MaxPool2d]; without it (small inputs), the ConvBnAct itself.
        names.ConvBnSequential(net.Stem is Torch.Modules.Sequential ? "stem.0" : "stem", "conv1");
        names.BlocksOf(net, "torchvision.shufflenet_v2", (s, b, _) => $"stage{s + 2}.{b}");
        names.ConvBnSequential("head_conv", "conv5");
        names.Add("classifier", "fc");
        return names;
    }
}
