namespace Research.Models.Blocks;

/// <summary>Convolution (no bias, "same" padding) + BatchNorm + optional activation: the unit every mobile block is made of.</summary>
public sealed class ConvBnAct : Module<Tensor, Tensor>
{
    public ConvBnAct(int inChannels, int outChannels, int kernel, int stride, int groups, Activation act, BlockContext ctx)
        : base(nameof(ConvBnAct))
    {
        Conv = torch.nn.Conv2d(inChannels, outChannels, kernel, stride, (kernel - 1) / 2, groups: groups, bias: false);
        Bn = torch.nn.BatchNorm2d(outChannels, ctx.BnEps, ctx.BnMomentum, affine: ctx.Affine);
        Act = Activations.Create(act);
        register_module("conv", Conv);
        register_module("bn", Bn);
        if (Act is not null) register_module("act", Act);
    }

    public Torch.Modules.Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }
    public Module<Tensor, Tensor>? Act { get; }

    public override Tensor forward(Tensor x)
    {
        var z = Conv.call(x);
        // Batch norm and activation as one kernel (BatchNorm2d.forward with an activation), unless a
        // hook on either must see them apart.
        if (!Bn.has_hooks && Act is not { has_hooks: true } && BatchNormAct.ActivationOf(Act) is { } fused)
            return Bn.forward(z, fused);
        var y = Bn.call(z);
        return Act is null ? y : Act.call(y);
    }
}
