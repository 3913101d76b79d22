using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Blocks;

/// <summary>
/// MBConv / inverted residual: 1×1 expansion (skipped when the hidden width equals the input),
/// depthwise k×k with the stride, optional squeeze-excite, linear 1×1 projection, and an
/// identity shortcut only when stride = 1 and in = out, with drop-connect on the branch.
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly double _dropConnect;

    public InvertedResidual(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(InvertedResidual))
    {
        int hidden = spec.Hidden(inChannels, ctx.ChannelDivisor);
        if (hidden != inChannels)
        {
            Expand = new ConvBnAct(inChannels, hidden, 1, 1, 1, spec.Activation, ctx);
            register_module("expand", Expand);
        }
        Depthwise = new ConvBnAct(hidden, hidden, spec.Kernel, stride, hidden, spec.Activation, ctx);
        register_module("depthwise", Depthwise);
        if (spec.SE is { } se)
        {
            SE = SqueezeExcitation.For(se, inChannels, hidden, spec.Activation, ctx.ChannelDivisor);
            register_module("se", SE);
        }
        Project = new ConvBnAct(hidden, spec.OutChannels, 1, 1, 1, Activation.None, ctx);
        register_module("project", Project);
        HasResidual = stride == 1 && inChannels == spec.OutChannels && !spec.NoSkip;
        _dropConnect = ctx.DropConnect;
    }

    public ConvBnAct? Expand { get; }
    public ConvBnAct Depthwise { get; }
    public SqueezeExcitation? SE { get; }
    public ConvBnAct Project { get; }
    public bool HasResidual { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Expand is null ? x : Expand.call(x);
        y = Depthwise.call(y);
        if (SE is not null) y = SE.call(y);
        y = Project.call(y);
        return HasResidual ? DropConnect.Apply(y, _dropConnect, training) + x : y;
    }
}
