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

/// <summary>ds: the depthwise-separable block (MobileNetV1; EfficientNet's first stage in timm's layout).</summary>
public sealed class DepthwiseSeparableKind : BlockKind
{
    public override string Code => "ds";
    public override string Description => "depthwise kxk + BN + act, [SE], pointwise 1x1 + BN + act (MobileNetV1)";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.SqueezeExcite;
    public override IReadOnlyList<string> Examples => ["ds_r1_k3_s1_c64_arelu", "ds_r2_k3_s2_c32_se0.25_asilu"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new DepthwiseSeparable(place.InChannels, place.Spec, place.Stride, ctx);

    public override void Cost(CostWalker w, string path, BlockPlace place, int channelDivisor)
    {
        var b = place.Spec;
        int inC = place.InChannels;
        w.ConvBn(path + ".depthwise", inC, b.Kernel, place.Stride, inC);
        if (b.SE is { } se) w.SE(path + ".se", SqueezeExcitation.SqueezeChannels(se, inC, inC, channelDivisor));
        w.ConvBn(path + ".pointwise", b.OutChannels, 1, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(DepthwiseSeparable)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var ds = (DepthwiseSeparable)module;
        var y = e.Module(ds.Depthwise, x, path + ".depthwise");
        if (ds.SE is not null) y = SqueezeExcitation.Export(e, ds.SE, y, path + ".se");
        return e.Module(ds.Pointwise, y, path + ".pointwise");
    }
}
