using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Blocks;

/// <summary>
/// MobileNeXt's sandglass block, by the official code's rules: depthwise 3×3 + BN + ReLU6 on
/// the wide input, linear 1×1 reduction to the hidden width, 1×1 expansion + BN + ReLU6, and a
/// linear depthwise 3×3 carrying the stride; the shortcut joins the wide ends when stride = 1
/// and in = out. The first depthwise is kept when t = 2, in = out or <paramref name="keepBothDepthwise"/>;
/// the last also when the block strides. Hidden = ⌊in/t⌋, raised to make_divisible(⌈out/6⌉, 16)
/// when below out/6.
/// </summary>
public sealed class Sandglass : Module<Tensor, Tensor>
{
    private readonly double _dropConnect;

    public Sandglass(int inChannels, BlockSpec spec, int stride, BlockContext ctx, bool keepBothDepthwise = false) : base(nameof(Sandglass))
    {
        int outChannels = spec.OutChannels;
        double t = spec.Reduction ?? throw new ArgumentException($"block '{spec}': sandglass needs t");
        Hidden = HiddenChannels(inChannels, outChannels, t);
        bool full = t == 2 || inChannels == outChannels || keepBothDepthwise;
        if (full)
        {
            DepthwiseIn = new ConvBnAct(inChannels, inChannels, spec.Kernel, 1, inChannels, spec.Activation, ctx);
            register_module("depthwise_in", DepthwiseIn);
        }
        Reduce = new ConvBnAct(inChannels, Hidden, 1, 1, 1, Activation.None, ctx);
        Expand = new ConvBnAct(Hidden, outChannels, 1, 1, 1, spec.Activation, ctx);
        register_module("reduce", Reduce);
        register_module("expand", Expand);
        if (full || stride > 1)
        {
            DepthwiseOut = new ConvBnAct(outChannels, outChannels, spec.Kernel, stride, outChannels, Activation.None, ctx);
            register_module("depthwise_out", DepthwiseOut);
        }
        HasResidual = stride == 1 && inChannels == outChannels && !keepBothDepthwise && !spec.NoSkip;
        _dropConnect = ctx.DropConnect;
    }

    public int Hidden { get; }
    public ConvBnAct? DepthwiseIn { get; }
    public ConvBnAct Reduce { get; }
    public ConvBnAct Expand { get; }
    public ConvBnAct? DepthwiseOut { get; }
    public bool HasResidual { get; }

    public static int HiddenChannels(int inChannels, int outChannels, double t)
    {
        int h = (int)Math.Floor(inChannels / t);
        if (h < outChannels / 6.0) h = Rounding.MakeDivisible(Math.Ceiling(outChannels / 6.0), 16);
        return h;
    }

    /// <summary>The official code keeps both depthwise convs in the first block of a one-block, stride-1 stage.</summary>
    public static bool KeepsBothDepthwise(BlockSpec spec, int repeatIndex) => repeatIndex == 0 && spec.Repeats == 1 && spec.Stride == 1;

    public override Tensor forward(Tensor x)
    {
        var y = DepthwiseIn is null ? x : DepthwiseIn.call(x);
        y = Expand.call(Reduce.call(y));
        if (DepthwiseOut is not null) y = DepthwiseOut.call(y);
        return HasResidual ? DropConnect.Apply(y, _dropConnect, training) + x : y;
    }
}
