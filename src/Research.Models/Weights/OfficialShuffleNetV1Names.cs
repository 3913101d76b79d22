namespace Research.Models.Weights;

/// <summary>
/// ShuffleNet v1's official code (megvii-model ShuffleNet-Series, ShuffleNetV1/network.py):
/// first_conv [conv, BN, ReLU] (our stem, with its max-pool: stem.0); features.k (k = 0…15) the
/// units in order, each by the unit kind's names; classifier.0 the Linear (no bias).
/// </summary>
internal static class OfficialShuffleNetV1Names
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Official);
        names.ConvBnSequential(net.Stem is Torch.Modules.Sequential ? "stem.0" : "stem", "first_conv");
        names.BlocksOf(net, "official.shufflenet_v1", (_, _, k) => $"features.{k}");
        names.Add("classifier", "classifier.0");
        return names;
    }
}
