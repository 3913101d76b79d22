using Research.Models.Cells;
using Research.Models.Specs;

namespace Research.Models.Cost;

public static partial class CostModel
{
    /// <summary>Parameters and MACs of one op on an edge of width C from an H×W input (0 for none, identity and pools).</summary>
    public static (long Params, long Macs) OpCost(CellOp op, int channels, int stride, int height, int width, int divisor = 2)
    {
        var w = new Walker(height, channels) { Width = width };
        Op(w, "op", op, channels, stride, divisor);
        return (w.Layers.Sum(l => l.Params), w.Layers.Sum(l => l.Macs));
    }

    private static void Cells(Walker w, NetworkSpec spec, Genotype genotype)
    {
        int cpp = w.Channels, cp = w.Channels, index = 0;
        int hpp = w.Height, hp = w.Height;
        bool reductionPrev = false;
        foreach (var b in spec.Blocks)
            for (int r = 0; r < b.Repeats; r++, index++)
            {
                bool reduction = r == 0 && b.Stride == 2;
                var cell = reduction ? genotype.Reduce : genotype.Normal;
                string p = $"stages.0.cells.{index}";
                int c = b.OutChannels;
                // Inputs are brought to width c at the previous cell's resolution.
                (w.Channels, w.Height, w.Width) = (cpp, hpp, hpp);
                if (reductionPrev) FactorizedReduce(w, p + ".preprocess0", c);
                else ReluConvBn(w, p + ".preprocess0", c);
                (w.Channels, w.Height, w.Width) = (cp, hp, hp);
                ReluConvBn(w, p + ".preprocess1", c);
                int inSize = hp, outSize = reduction ? (hp + 1) / 2 : hp;
                for (int i = 0; i < cell.Edges.Count; i++)
                {
                    var e = cell.Edges[i];
                    int stride = reduction && e.Input < 2 ? 2 : 1;
                    int size = e.Input < 2 ? inSize : outSize;
                    (w.Channels, w.Height, w.Width) = (c, size, size);
                    Op(w, $"{p}.ops.{i}", genotype.Op(e.Op), c, stride, spec.ChannelDivisor);
                }
                (cpp, hpp) = (cp, hp);
                (cp, hp) = (cell.Concat.Count * c, outSize);
                reductionPrev = reduction;
            }
        (w.Channels, w.Height, w.Width) = (cp, hp, hp);
    }

    private static void Op(Walker w, string p, CellOp op, int c, int stride, int divisor)
    {
        switch (op.Kind)
        {
            case CellOpKind.Zero:
            case CellOpKind.Skip when stride == 1:
                break;
            case CellOpKind.Skip:
                FactorizedReduce(w, p, c);
                break;
            case CellOpKind.MaxPool:
            case CellOpKind.AvgPool:
                w.Pool(op.Kernel, stride, op.Kernel / 2);
                break;
            case CellOpKind.Block:
                Block(w, p, op.BlockFor(c, stride), 0, divisor);
                break;
        }
    }

    private static void ReluConvBn(Walker w, string p, int outC) => w.ConvBn(p, outC, 1, 1, 1);

    private static void FactorizedReduce(Walker w, string p, int outC)
    {
        var (c, h, wd) = (w.Channels, w.Height, w.Width);
        w.Conv(p + ".conv1", outC / 2, 1, 2, 1, bias: false);
        (w.Channels, w.Height, w.Width) = (c, h, wd);
        w.Conv(p + ".conv2", outC / 2, 1, 2, 1, bias: false);
        w.Channels = outC;
        w.Layers.Add(new LayerCost(p + ".bn", "bn", 2L * outC, 0, outC, w.Height, w.Width));
    }
}
