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

    /// <summary>Its layers: conv1 and conv2 (each to half the width, stride 2) and the BN over both.</summary>
    public static void Cost(CostWalker w, string p, int outC)
    {
        var input = w.Shape;
        w.Conv(p + ".conv1", outC / 2, 1, 2, 1, bias: false);
        var half = w.Shape;
        w.Shape = input;
        w.Conv(p + ".conv2", outC / 2, 1, 2, 1, bias: false);
        w.Shape = (outC, half.Height, half.Width);
        w.BatchNorm(p + ".bn");
    }

    /// <summary>
    /// ReLU, the input and its one-pixel shift (padded back at the end), each through its
    /// convolution with its half of the batch norm folded in, concatenated.
    /// </summary>
    public static string Export(OnnxEmitter e, FactorizedReduce fr, string x, string path)
    {
        var r = e.Relu(x);
        var shifted = e.PadEnd(e.SliceSpatial(r, 1), 1, 1);
        long half = fr.Conv1.OutChannels;
        var (first, second) = SplitBatchNorm(fr.Bn, half);
        try
        {
            var a = e.Conv(r, fr.Conv1, first, path + ".conv1");
            var b = e.Conv(shifted, fr.Conv2, second, path + ".conv2");
            return e.Concat(a, b);
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }
    }

    /// <summary>Two batch norms over the first and the second <paramref name="half"/> channels, with the statistics and affine values of those channels.</summary>
    private static (BatchNorm2d First, BatchNorm2d Second) SplitBatchNorm(BatchNorm2d bn, long half)
    {
        BatchNorm2d Part(long start)
        {
            var part = new BatchNorm2d(half, bn.Eps, bn.Momentum, affine: bn.weight is not null);
            using var noGrad = torch.no_grad();
            using (var m = bn.running_mean!.narrow(0, start, half)) part.running_mean!.copy_(m);
            using (var v = bn.running_var!.narrow(0, start, half)) part.running_var!.copy_(v);
            if (bn.weight is not null)
            {
                using (var w = bn.weight.narrow(0, start, half)) part.weight!.copy_(w);
                using (var b = bn.bias!.narrow(0, start, half)) part.bias!.copy_(b);
            }
            return part;
        }
        return (Part(0), Part(half));
    }

    public override Tensor forward(Tensor x)
    {
        var r = torch.nn.functional.relu(x);
        long h = r.size(2), w = r.size(3);
        var shifted = torch.nn.functional.pad(r.slice(2, 1, h).slice(3, 1, w), [0, 1, 0, 1]);
        return Bn.call(torch.cat([Conv1.call(r), Conv2.call(shifted)], 1));
    }
}
