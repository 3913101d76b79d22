using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Blocks;

/// <summary>
/// GhostNet's module: a primary 1×1 conv makes ⌈out/2⌉ intrinsic maps, a cheap depthwise 3×3
/// makes as many "ghost" maps from them; both are concatenated and sliced to the output width.
/// </summary>
public sealed class GhostModule : Module<Tensor, Tensor>
{
    private readonly int _out;

    public GhostModule(int inChannels, int outChannels, bool relu, BlockContext ctx) : base(nameof(GhostModule))
    {
        _out = outChannels;
        int init = (outChannels + 1) / 2;
        var act = relu ? Activation.ReLU : Activation.None;
        Primary = new ConvBnAct(inChannels, init, 1, 1, 1, act, ctx);
        Cheap = new ConvBnAct(init, init, 3, 1, init, act, ctx);
        register_module("primary", Primary);
        register_module("cheap", Cheap);
    }

    public ConvBnAct Primary { get; }
    public ConvBnAct Cheap { get; }
    /// <summary>The output width (the concatenation is sliced to it).</summary>
    public int OutChannels => _out;

    public override Tensor forward(Tensor x)
    {
        var a = Primary.call(x);
        var y = torch.cat([a, Cheap.call(a)], 1);
        return y.size(1) == _out ? y : y.narrow(1, 0, _out);
    }
}

/// <summary>
/// GhostNet's bottleneck: Ghost module (with ReLU) to the mid width, a depthwise k×k with BN
/// when striding, optional squeeze-excite, Ghost module (linear) to the output width; the
/// shortcut is the identity when shapes match, else depthwise k×k + BN + 1×1 + BN.
/// </summary>
public sealed class GhostBottleneck : Module<Tensor, Tensor>
{
    private readonly double _dropConnect;

    public GhostBottleneck(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(GhostBottleneck))
    {
        int mid = spec.Hidden(inChannels, ctx.ChannelDivisor);
        Ghost1 = new GhostModule(inChannels, mid, relu: true, ctx);
        register_module("ghost1", Ghost1);
        if (stride > 1)
        {
            Depthwise = new ConvBnAct(mid, mid, spec.Kernel, stride, mid, Activation.None, ctx);
            register_module("depthwise", Depthwise);
        }
        if (spec.SE is { } se)
        {
            SE = SqueezeExcitation.For(se, inChannels, mid, spec.Activation, ctx.ChannelDivisor);
            register_module("se", SE);
        }
        Ghost2 = new GhostModule(mid, spec.OutChannels, relu: false, ctx);
        register_module("ghost2", Ghost2);
        IdentityShortcut = stride == 1 && inChannels == spec.OutChannels;
        if (!IdentityShortcut && !spec.NoSkip)
        {
            Shortcut = torch.nn.Sequential(
                new ConvBnAct(inChannels, inChannels, spec.Kernel, stride, inChannels, Activation.None, ctx),
                new ConvBnAct(inChannels, spec.OutChannels, 1, 1, 1, Activation.None, ctx));
            register_module("shortcut", Shortcut);
        }
        if (spec.NoSkip) IdentityShortcut = false;
        _dropConnect = ctx.DropConnect;
    }

    public GhostModule Ghost1 { get; }
    public ConvBnAct? Depthwise { get; }
    public SqueezeExcitation? SE { get; }
    public GhostModule Ghost2 { get; }
    public Sequential? Shortcut { get; }
    public bool IdentityShortcut { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Ghost1.call(x);
        if (Depthwise is not null) y = Depthwise.call(y);
        if (SE is not null) y = SE.call(y);
        y = Ghost2.call(y);
        if (IdentityShortcut) return DropConnect.Apply(y, _dropConnect, training) + x;
        return Shortcut is null ? y : y + Shortcut.call(x);
    }
}
