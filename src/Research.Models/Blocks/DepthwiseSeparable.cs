using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Blocks;

/// <summary>MobileNetV1's block: depthwise k×k + BN + act, optional SE, pointwise 1×1 + BN + act; no shortcut.</summary>
public sealed class DepthwiseSeparable : Module<Tensor, Tensor>
{
    public DepthwiseSeparable(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(DepthwiseSeparable))
    {
        Depthwise = new ConvBnAct(inChannels, inChannels, spec.Kernel, stride, inChannels, spec.Activation, ctx);
        register_module("depthwise", Depthwise);
        if (spec.SE is { } se)
        {
            SE = SqueezeExcitation.For(se, inChannels, inChannels, spec.Activation, ctx.ChannelDivisor);
            register_module("se", SE);
        }
        Pointwise = new ConvBnAct(inChannels, spec.OutChannels, 1, 1, 1, spec.Activation, ctx);
        register_module("pointwise", Pointwise);
    }

    public ConvBnAct Depthwise { get; }
    public SqueezeExcitation? SE { get; }
    public ConvBnAct Pointwise { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Depthwise.call(x);
        if (SE is not null) y = SE.call(y);
        return Pointwise.call(y);
    }
}
