namespace Research.Models.Weights;

/// <summary>
/// timm's EfficientNet (efficientnet_b0…b7; tf_efficientnet_* share the names but pad "same"
/// and use BN eps 1e-3, so their weights load but compute slightly differently here): conv_stem
/// and bn1; blocks.{stage}.{i}, the first stage's depthwise-separable blocks as conv_dw/bn1,
/// se.conv_reduce/conv_expand, conv_pw/bn2, the inverted residuals as conv_pw/bn1 (expansion),
/// conv_dw/bn2, se, conv_pwl/bn3; conv_head and bn2; classifier.
/// </summary>
internal static class TimmEfficientNetNames
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Timm);
        names.ConvBn("stem", "conv_stem", "bn1");
        names.BlocksOf(net, "timm.efficientnet", (s, b, _) => $"blocks.{s}.{b}");
        names.ConvBn("head_conv", "conv_head", "bn2");
        names.Add("classifier", "classifier");
        return names;
    }
}
