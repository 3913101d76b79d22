namespace Research.Models.Weights;

/// <summary>
/// GhostNet's official code (huawei-noah, ghostnet.py): conv_stem and bn1; blocks.{stage}.{i}
/// bottlenecks with ghost1/ghost2 modules (primary_conv and cheap_operation, each [conv, BN]),
/// conv_dw/bn_dw in striding blocks, se.conv_reduce/conv_expand, and a shortcut Sequential of
/// [depthwise conv, BN, 1×1 conv, BN]; the 160→960 conv is the last stage, blocks.9.0 (conv,
/// bn1); conv_head the biased 1×1 conv to 1280 after pooling; classifier.
/// </summary>
internal static class OfficialGhostNetNames
{
    public static ModuleNames Modules(Network net)
    {
        var names = new ModuleNames(WeightNaming.Official);
        names.ConvBn("stem", "conv_stem", "bn1");
        names.BlocksOf(net, "official.ghostnet", (s, b, _) => $"blocks.{s}.{b}");
        names.ConvBn("head_conv", $"blocks.{net.Stages.Count}.0.conv", $"blocks.{net.Stages.Count}.0.bn1");
        names.Add("hidden", "conv_head");
        names.Add("classifier", "classifier");
        return names;
    }
}
