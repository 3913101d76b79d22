namespace Research.Models.Blocks;

/// <summary>
/// DARTS's dilated convolution (dil_conv_kxk in its operations.py): ReLU, a depthwise k×k with
/// dilation d and "same" padding d·(k−1)/2 carrying the stride, a 1×1 to c and BN. No shortcut.
/// </summary>
public sealed class DilConv : Module<Tensor, Tensor>
{
    public DilConv(BlockPlace place, BlockContext ctx) : base(nameof(DilConv))
    {
        var spec = place.Spec;
        Stage = new ActDepthwisePointwise(this, "", place.InChannels, spec.OutChannels, spec.Kernel, place.Stride, spec.Dilation ?? 1, spec.Activation, ctx);
    }

    internal ActDepthwisePointwise Stage { get; }

    public override Tensor forward(Tensor x) => Stage.Forward(x);
}

/// <summary>dl: DARTS's dil_conv (dl_k3_d2 is dil_conv_3x3, dl_k5_d2 dil_conv_5x5).</summary>
public sealed class DilConvKind : BlockKind
{
    public override string Code => "dl";
    public override string Description => "DARTS's dilated conv: act, depthwise kxk with dilation d (stride), 1x1, BN";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Dilation;
    public override BlockTokens Requires => BlockTokens.Dilation;
    public override BlockTokens AlwaysWritten => BlockTokens.Kernel | BlockTokens.Activation;
    public override IReadOnlyList<string> Examples => ["dl_r1_k3_s1_d2_c16_arelu", "dl_r1_k5_s2_d2_c24_arelu"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new DilConv(place, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor) =>
        ActDepthwisePointwise.Cost(w, p, "", place.InChannels, place.Spec.OutChannels, place.Spec.Kernel, place.Stride, place.Spec.Dilation ?? 1);

    public override IReadOnlyList<Type> ModuleTypes => [typeof(DilConv)];

    public override string Export(OnnxEmitter e, Module module, string x, string path) => ((DilConv)module).Stage.Export(e, x, path);
}
