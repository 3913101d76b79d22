namespace Research.Models.Cells;

/// <summary>ReLU, then a 1×1 convolution and BatchNorm: how a cell brings its inputs to its width (DARTS's preprocessing).</summary>
public sealed class ReluConvBn : Module<Tensor, Tensor>
{
    public ReluConvBn(int inChannels, int outChannels, BlockContext ctx, bool affine = true) : base(nameof(ReluConvBn))
    {
        Conv = torch.nn.Conv2d(inChannels, outChannels, 1, bias: false);
        Bn = torch.nn.BatchNorm2d(outChannels, ctx.BnEps, ctx.BnMomentum, affine: affine);
        register_module("conv", Conv);
        register_module("bn", Bn);
    }

    public Torch.Modules.Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    public override Tensor forward(Tensor x) => Bn.call(Conv.call(torch.nn.functional.relu(x)));
}
