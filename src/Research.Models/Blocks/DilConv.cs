using Research.Models.Cost;
using Research.Models.Export;

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
        int inC = place.InChannels, k = spec.Kernel, d = spec.Dilation ?? 1;
        Act = Activations.Create(spec.Activation);
        Depthwise = torch.nn.Conv2d(inC, inC, k, place.Stride, d * (k - 1) / 2, dilation: d, groups: inC, bias: false);
        Pointwise = new ConvBnAct(inC, spec.OutChannels, 1, 1, 1, Activation.None, ctx);
        if (Act is not null) register_module("act", Act);
        register_module("depthwise", Depthwise);
        register_module("pointwise", Pointwise);
    }

    public Module<Tensor, Tensor>? Act { get; }
    public Torch.Modules.Conv2d Depthwise { get; }
    public ConvBnAct Pointwise { get; }

    public override Tensor forward(Tensor x) => Pointwise.call(Depthwise.call(Act is null ? x : Act.call(x)));
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

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        int inC = place.InChannels;
        w.Conv(p + ".depthwise", inC, b.Kernel, place.Stride, inC, bias: false, dilation: b.Dilation ?? 1);
        w.ConvBn(p + ".pointwise", b.OutChannels, 1, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(DilConv)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var dc = (DilConv)module;
        var y = e.Conv(e.Activation(dc.Act, x, path + ".act"), dc.Depthwise, null, path + ".depthwise");
        return e.Module(dc.Pointwise, y, path + ".pointwise");
    }
}
