using Research.Models.Blocks;
using Research.Models.Cost;
using Research.Models.Export;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace CustomBlock;

/// <summary>
/// EfficientNetV2's Fused-MBConv: the expansion 1×1 and the depthwise k×k of an MBConv fused
/// into one k×k convolution (+ BN + act, carrying the stride), then a linear 1×1 projection;
/// with e = 1 the k×k goes straight to the output width. Identity shortcut when stride 1 and
/// in = out, with drop-connect on the branch.
/// </summary>
public sealed class FusedMBConv : Module<Tensor, Tensor>
{
    private readonly DropRate _drop;

    public FusedMBConv(BlockPlace place, BlockContext ctx) : base(nameof(FusedMBConv))
    {
        var spec = place.Spec;
        int hidden = place.Hidden(ctx.ChannelDivisor);
        if (hidden == place.InChannels && spec.Expansion is null or 1)
        {
            Fused = new ConvBnAct(place.InChannels, spec.OutChannels, spec.Kernel, place.Stride, 1, spec.Activation, ctx);
        }
        else
        {
            Fused = new ConvBnAct(place.InChannels, hidden, spec.Kernel, place.Stride, 1, spec.Activation, ctx);
            Project = new ConvBnAct(hidden, spec.OutChannels, 1, 1, 1, Activation.None, ctx);
        }
        register_module("fused", Fused);
        if (Project is not null) register_module("project", Project);
        HasResidual = place.Stride == 1 && place.InChannels == spec.OutChannels && !spec.NoSkip;
        _drop = ctx.Drop;
    }

    public ConvBnAct Fused { get; }
    public ConvBnAct? Project { get; }
    public bool HasResidual { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Fused.call(x);
        if (Project is not null) y = Project.call(y);
        return HasResidual ? _drop.Apply(y, training) + x : y;
    }
}

/// <summary>fm: Fused-MBConv, as one descriptor: grammar, module, cost rule and ONNX emission.</summary>
public sealed class FusedMBConvKind : BlockKind
{
    public override string Code => "fm";
    public override string Description => "Fused-MBConv (EfficientNetV2): kxk conv expand + BN + act, linear 1x1 project";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Expansion | BlockTokens.NoSkip;
    public override BlockTokens Requires => BlockTokens.Expansion;
    public override IReadOnlyList<string> Examples => ["fm_r2_k3_s1_e4_c24_asilu", "fm_r1_k3_s2_e1_c32_asilu"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new FusedMBConv(place, ctx);

    public override void Cost(CostWalker w, string path, BlockPlace place, int channelDivisor)
    {
        var b = place.Spec;
        int hidden = place.Hidden(channelDivisor);
        if (hidden == place.InChannels && b.Expansion is null or 1)
        {
            w.ConvBn(path + ".fused", b.OutChannels, b.Kernel, place.Stride, 1);
            return;
        }
        w.ConvBn(path + ".fused", hidden, b.Kernel, place.Stride, 1);
        w.ConvBn(path + ".project", b.OutChannels, 1, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(FusedMBConv)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var fm = (FusedMBConv)module;
        var y = e.Module(fm.Fused, x, path + ".fused");
        if (fm.Project is not null) y = e.Module(fm.Project, y, path + ".project");
        return fm.HasResidual ? e.Add(y, x) : y;
    }
}
