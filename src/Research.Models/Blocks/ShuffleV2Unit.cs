using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Blocks;

/// <summary>
/// ShuffleNetV2's unit. Stride 1: split the channels in half, transform one half
/// (1×1 + BN + act, depthwise k×k + BN, 1×1 + BN + act), concatenate, shuffle. Stride 2:
/// both branches see the whole input (the left one: depthwise k×k + BN, 1×1 + BN + act),
/// doubling the width while halving the resolution.
/// </summary>
public sealed class ShuffleV2Unit : Module<Tensor, Tensor>
{
    public ShuffleV2Unit(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(ShuffleV2Unit))
    {
        int branch = spec.OutChannels / 2;
        Stride = stride;
        if (stride == 1 && inChannels != spec.OutChannels)
            throw new ArgumentException($"block '{spec}': a stride-1 ShuffleNetV2 unit needs in = out channels, got {inChannels} → {spec.OutChannels}");
        if (stride > 1)
        {
            Left = torch.nn.Sequential(
                new ConvBnAct(inChannels, inChannels, spec.Kernel, stride, inChannels, Activation.None, ctx),
                new ConvBnAct(inChannels, branch, 1, 1, 1, spec.Activation, ctx));
            register_module("left", Left);
        }
        Right = torch.nn.Sequential(
            new ConvBnAct(stride > 1 ? inChannels : branch, branch, 1, 1, 1, spec.Activation, ctx),
            new ConvBnAct(branch, branch, spec.Kernel, stride, branch, Activation.None, ctx),
            new ConvBnAct(branch, branch, 1, 1, 1, spec.Activation, ctx));
        register_module("right", Right);
    }

    public int Stride { get; }
    public Sequential? Left { get; }
    public Sequential Right { get; }

    public override Tensor forward(Tensor x)
    {
        Tensor y;
        if (Left is null)
        {
            var halves = x.chunk(2, 1);
            y = torch.cat([halves[0], Right.call(halves[1])], 1);
        }
        else
        {
            y = torch.cat([Left.call(x), Right.call(x)], 1);
        }
        return ChannelShuffle(y, 2);
    }

    /// <summary>
    /// Interleaves channel groups: (N, g·c, H, W) viewed as (N, g, c, H, W), transposed to
    /// (N, c, g, H, W), flattened back. Applying it repeatedly cycles back to the input.
    /// </summary>
    public static Tensor ChannelShuffle(Tensor x, int groups)
    {
        var s = x.shape;
        if (s.Length != 4) throw new ArgumentException($"channel shuffle needs (N, C, H, W) input, got rank {s.Length}");
        if (s[1] % groups != 0) throw new ArgumentException($"channel shuffle: {s[1]} channels do not split into {groups} groups");
        if (x.is_channels_last() && s[1] > 1 && s[2] * s[3] > 1)
        {
            // The same permutation on NHWC memory, so the result stays NHWC: flattening the NCHW
            // view would hand every later op an NCHW tensor and a layout conversion.
            using var nhwc = x.permute(0, 2, 3, 1);
            using var g = nhwc.view(s[0], s[2], s[3], groups, s[1] / groups);
            using var gt = g.transpose(3, 4);
            using var gc = gt.contiguous();
            using var flat = gc.view(s[0], s[2], s[3], s[1]);
            return flat.permute(0, 3, 1, 2);
        }
        using var v = x.view(s[0], groups, s[1] / groups, s[2], s[3]);
        using var t = v.transpose(1, 2);
        using var c = t.contiguous();
        return c.view(s);
    }
}
