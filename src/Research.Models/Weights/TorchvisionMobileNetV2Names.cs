namespace Research.Models.Weights;

/// <summary>
/// torchvision's MobileNetV2: features.0 is the stem (conv, BN); features.k (k = 1…17) an
/// inverted residual whose `conv` Sequential holds [expand conv-BN], depthwise conv-BN, then the
/// projection's conv and BN as plain modules; features.18 the 1×1 head; classifier.1 the Linear.
/// </summary>
internal static class TorchvisionMobileNetV2Names
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Torchvision);
        names.ConvBnSequential("stem", "features.0");
        int head = names.BlocksOf(net, "torchvision.mobilenet_v2", (_, _, k) => $"features.{k}.conv", first: 1);
        names.ConvBnSequential("head_conv", $"features.{head}");
        names.Add("classifier", "classifier.1");
        return names;
    }
}
