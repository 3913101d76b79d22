using Research.Models.Blocks;
using Research.Models.Networks;

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
        names.Blocks<ShuffleV2Unit>(net, (ours, unit, at) =>
        {
            string theirs = $"stage{at.Stage + 2}.{at.Index}";
            if (unit.Left is not null)
            {
                names.ConvBn(ours + ".left.0", theirs + ".branch1.0", theirs + ".branch1.1");
                names.ConvBn(ours + ".left.1", theirs + ".branch1.2", theirs + ".branch1.3");
            }
            names.ConvBn(ours + ".right.0", theirs + ".branch2.0", theirs + ".branch2.1");
            names.ConvBn(ours + ".right.1", theirs + ".branch2.3", theirs + ".branch2.4");
            names.ConvBn(ours + ".right.2", theirs + ".branch2.5", theirs + ".branch2.6");
        });
        names.ConvBnSequential("head_conv", "conv5");
        names.Add("classifier", "fc");
        return names;
    }
}
