using Research.Models.Blocks;
using Research.Models.Networks;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Cells;

/// <summary>Builds the module for an op on an edge of a given width and stride.</summary>
public static class CellOpFactory
{
    /// <summary>
    /// The op's module; null for the zero op (it contributes nothing). In the supernet
    /// (<paramref name="search"/>) pools are followed by a non-affine BatchNorm, as in DARTS, so
    /// their scale is comparable with the normalised outputs of the other ops.
    /// </summary>
    public static Module<Tensor, Tensor>? Build(CellOp op, int channels, int stride, BlockContext ctx, bool search = false)
    {
        switch (op.Kind)
        {
            case CellOpKind.Zero:
                return null;
            case CellOpKind.Skip:
                return stride == 1 ? new Identity() : new FactorizedReduce(channels, channels, ctx, affine: !search);
            case CellOpKind.MaxPool:
            case CellOpKind.AvgPool:
                Module<Tensor, Tensor> pool = new CellPool(op.Kind == CellOpKind.MaxPool, op.Kernel, stride);
                return search ? torch.nn.Sequential(pool, torch.nn.BatchNorm2d(channels, ctx.BnEps, ctx.BnMomentum, affine: false)) : pool;
            case CellOpKind.Block:
                // Drop-path is applied per edge by the cell, so the block itself gets none.
                return NetworkBuilder.BuildBlock(channels, op.BlockFor(channels, stride), 0, ctx with { DropConnect = 0 });
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "unknown op kind");
        }
    }
}

/// <summary>Max or average pooling with "same" padding; the average excludes the padding (DARTS).</summary>
public sealed class CellPool(bool max, int kernel, int stride) : Module<Tensor, Tensor>(max ? "MaxPool" : "AvgPool")
{
    public bool Max => max;
    public int Kernel => kernel;
    public int Stride => stride;

    public override Tensor forward(Tensor x) => max
        ? torch.nn.functional.max_pool2d(x, kernel, stride, kernel / 2)
        : torch.nn.functional.avg_pool2d(x, kernel, stride, kernel / 2, count_include_pad: false);
}
