namespace Research.Models.Blocks;

/// <summary>
/// DARTS's separable convolution (sep_conv_kxk in its operations.py): twice ReLU, a depthwise
/// k×k (the first carrying the stride), a 1×1 and BN; the first 1×1 keeps the input width, the
/// second goes to c. No shortcut. In DARTS's supernet its batch norms are not affine.
/// </summary>
public sealed class SepConv : Module<Tensor, Tensor>
{
    public SepConv(BlockPlace place, BlockContext ctx) : base(nameof(SepConv))
    {
        var spec = place.Spec;
        int inC = place.InChannels;
        First = new ActDepthwisePointwise(this, "1", inC, inC, spec.Kernel, place.Stride, 1, spec.Activation, ctx);
        Second = new ActDepthwisePointwise(this, "2", inC, spec.OutChannels, spec.Kernel, 1, 1, spec.Activation, ctx);
    }

    internal ActDepthwisePointwise First { get; }
    internal ActDepthwisePointwise Second { get; }

    public override Tensor forward(Tensor x) => Second.Forward(First.Forward(x));
}

/// <summary>sp: DARTS's sep_conv (sp_k3 is sep_conv_3x3, sp_k5 sep_conv_5x5).</summary>
public sealed class SepConvKind : BlockKind
{
    public override string Code => "sp";
    public override string Description => "DARTS's separable conv: (act, depthwise kxk, 1x1, BN) twice, the first carrying the stride";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation;
    public override IReadOnlyList<string> Examples => ["sp_r1_k3_s1_c16_arelu", "sp_r2_k5_s2_c24_arelu"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new SepConv(place, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        int inC = place.InChannels, k = place.Spec.Kernel;
        ActDepthwisePointwise.Cost(w, p, "1", inC, inC, k, place.Stride, 1);
        ActDepthwisePointwise.Cost(w, p, "2", inC, place.Spec.OutChannels, k, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(SepConv)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var sc = (SepConv)module;
        return sc.Second.Export(e, sc.First.Export(e, x, path), path);
    }
}
