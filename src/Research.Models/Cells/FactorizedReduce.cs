using Research.Models.Blocks;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Cells;

/// <summary>
/// Halves the resolution without losing half the pixels: ReLU, two stride-2 1×1 convolutions,
/// the second on the input shifted by one pixel, concatenated and batch-normalised (DARTS).
/// The shifted input is padded back to full size, so odd sizes (7×7) give ⌈n/2⌉ like a
/// stride-2 3×3 conv.
/// </summary>
public sealed class FactorizedReduce : Module<Tensor, Tensor>
{
    public FactorizedReduce(int inChannels, int outChannels, BlockContext ctx, bool affine = true) : base(nameof(FactorizedReduce))
    {
        if (outChannels % 2 != 0) throw new ArgumentException($"FactorizedReduce: output channels {outChannels} must be even");
        Conv1 = torch.nn.Conv2d(inChannels, outChannels / 2, 1, 2, bias: false);
        Conv2 = torch.nn.Conv2d(inChannels, outChannels / 2, 1, 2, bias: false);
        Bn = torch.nn.BatchNorm2d(outChannels, ctx.BnEps, ctx.BnMomentum, affine: affine);
        register_module("conv1", Conv1);
        register_module("conv2", Conv2);
        register_module("bn", Bn);
    }

    public Torch.Modules.Conv2d Conv1 { get; }
    public Torch.Modules.Conv2d Conv2 { get; }
    public BatchNorm2d Bn { get; }

    public override Tensor forward(Tensor x)
    {
        var r = torch.nn.functional.relu(x);
        long h = r.size(2), w = r.size(3);
        var shifted = torch.nn.functional.pad(r.slice(2, 1, h).slice(3, 1, w), [0, 1, 0, 1]);
        return Bn.call(torch.cat([Conv1.call(r), Conv2.call(shifted)], 1));
    }
}
