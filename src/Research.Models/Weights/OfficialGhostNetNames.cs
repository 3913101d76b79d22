using Research.Models.Blocks;
using Research.Models.Networks;

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
        names.Blocks<GhostBottleneck>(net, (ours, g, at) =>
        {
            string theirs = $"blocks.{at.Stage}.{at.Index}";
            foreach (var ghost in new[] { "ghost1", "ghost2" })
            {
                names.ConvBnSequential($"{ours}.{ghost}.primary", $"{theirs}.{ghost}.primary_conv");
                names.ConvBnSequential($"{ours}.{ghost}.cheap", $"{theirs}.{ghost}.cheap_operation");
            }
            if (g.Depthwise is not null) names.ConvBn(ours + ".depthwise", theirs + ".conv_dw", theirs + ".bn_dw");
            if (g.SE is not null) names.SqueezeExcitation(ours, theirs + ".se.conv_reduce", theirs + ".se.conv_expand");
            if (g.Shortcut is not null)
            {
                names.ConvBn(ours + ".shortcut.0", theirs + ".shortcut.0", theirs + ".shortcut.1");
                names.ConvBn(ours + ".shortcut.1", theirs + ".shortcut.2", theirs + ".shortcut.3");
            }
        });
        names.ConvBn("head_conv", $"blocks.{net.Stages.Count}.0.conv", $"blocks.{net.Stages.Count}.0.bn1");
        names.Add("hidden", "conv_head");
        names.Add("classifier", "classifier");
        return names;
    }
}
