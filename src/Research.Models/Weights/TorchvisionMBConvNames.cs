namespace Research.Models.Weights;

/// <summary>
/// torchvision's MBConv networks, EfficientNet (B0–B7) and MobileNetV3: features.0 the stem; then an inverted
/// residual whose `block` Sequential holds [expand conv-BN-act], depthwise conv-BN-act, [SE with
/// fc1/fc2], projection conv-BN, each at the next index. EfficientNet nests blocks in their stage
/// (features.{stage+1}.{i}), MobileNetV3 lists them flat (features.{k}); the last 1×1 conv
/// follows the blocks. EfficientNet's classifier is [Dropout, Linear]; MobileNetV3's is
/// [Linear, Hardswish, Dropout, Linear].
/// </summary>
internal static class TorchvisionMBConvNames
{
    public static ModuleNames EfficientNet(Network net) => Modules(net, nested: true);

    public static ModuleNames MobileNetV3(Network net) => Modules(net, nested: false);

    private static ModuleNames Modules(Network net, bool nested)
    {
        var names = new ModuleNames(WeightNaming.Torchvision);
        names.ConvBnSequential("stem", "features.0");
        int head = names.BlocksOf(net, "torchvision.efficientnet", (s, b, k) => nested ? $"features.{s + 1}.{b}.block" : $"features.{k}.block", first: 1);
        names.ConvBnSequential("head_conv", nested ? $"features.{net.Stages.Count + 1}" : $"features.{head}");
        if (nested) names.Add("classifier", "classifier.1");
        else
        {
            names.Add("hidden", "classifier.0");
            names.Add("classifier", "classifier.3");
        }
        return names;
    }
}
