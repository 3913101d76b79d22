using Research.Models.Cost;
using Research.Models.Export;

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
        int inC = place.InChannels, k = spec.Kernel;
        Act1 = Activations.Create(spec.Activation);
        Depthwise1 = torch.nn.Conv2d(inC, inC, k, place.Stride, (k - 1) / 2, groups: inC, bias: false);
        Pointwise1 = new ConvBnAct(inC, inC, 1, 1, 1, Activation.None, ctx);
        Act2 = Activations.Create(spec.Activation);
        Depthwise2 = torch.nn.Conv2d(inC, inC, k, 1, (k - 1) / 2, groups: inC, bias: false);
        Pointwise2 = new ConvBnAct(inC, spec.OutChannels, 1, 1, 1, Activation.None, ctx);
        if (Act1 is not null) register_module("act1", Act1);
        register_module("depthwise1", Depthwise1);
        register_module("pointwise1", Pointwise1);
        if (Act2 is not null) register_module("act2", Act2);
        register_module("depthwise2", Depthwise2);
        register_module("pointwise2", Pointwise2);
    }

    public Module<Tensor, Tensor>? Act1 { get; }
    public Torch.Modules.Conv2d Depthwise1 { get; }
    public ConvBnAct Pointwise1 { get; }
    public Module<Tensor, Tensor>? Act2 { get; }
    public Torch.Modules.Conv2d Depthwise2 { get; }
    public ConvBnAct Pointwise2 { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Pointwise1.call(Depthwise1.call(Act1 is null ? x : Act1.call(x)));
        return Pointwise2.call(Depthwise2.call(Act2 is null ? y : Act2.call(y)));
    }
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
        var b = place.Spec;
        int inC = place.InChannels;
        w.Conv(p + ".depthwise1", inC, b.Kernel, place.Stride, inC, bias: false);
        w.ConvBn(p + ".pointwise1", inC, 1, 1, 1);
        w.Conv(p + ".depthwise2", inC, b.Kernel, 1, inC, bias: false);
        w.ConvBn(p + ".pointwise2", b.OutChannels, 1, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(SepConv)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var sc = (SepConv)module;
        var y = e.Conv(e.Activation(sc.Act1, x, path + ".act1"), sc.Depthwise1, null, path + ".depthwise1");
        y = e.Module(sc.Pointwise1, y, path + ".pointwise1");
        y = e.Conv(e.Activation(sc.Act2, y, path + ".act2"), sc.Depthwise2, null, path + ".depthwise2");
        return e.Module(sc.Pointwise2, y, path + ".pointwise2");
    }
}
