using System.Text.RegularExpressions;

namespace Research.Models.Cells;

/// <summary><c>max_pool_kK</c> / <c>avg_pool_kK</c>: "same" pooling with the edge's stride; the average excludes the padding (DARTS).</summary>
public sealed partial class PoolOpForm : CellOpForm
{
    public override string Name => "pool";
    public override string Syntax => "max_pool_kK, avg_pool_kK";

    [GeneratedRegex("^(max|avg)_pool_k([0-9]+)$")]
    private static partial Regex PoolPattern();

    public static bool IsMax(CellOp op) => op.Definition.StartsWith("max", StringComparison.Ordinal);

    public override CellOp? TryParse(string name, string definition)
    {
        if (PoolPattern().Match(definition) is not { Success: true } m) return null;
        if (!int.TryParse(m.Groups[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k) || k < 1 || k % 2 == 0)
            throw new SpecFormatException($"op '{name}': '{definition}': the pooling window must be odd");
        return new CellOp(name, definition, this, kernel: k);
    }

    /// <summary>In the supernet a non-affine BatchNorm follows, as in DARTS, so the pool's scale is comparable with the normalised ops.</summary>
    public override Module<Tensor, Tensor> Build(CellOp op, int channels, int stride, BlockContext ctx, bool search)
    {
        Module<Tensor, Tensor> pool = new CellPool(IsMax(op), op.Kernel, stride);
        return search ? torch.nn.Sequential(pool, torch.nn.BatchNorm2d(channels, ctx.BnEps, ctx.BnMomentum, affine: false)) : pool;
    }

    public override void Cost(CostWalker w, string path, CellOp op, int channels, int stride, int channelDivisor) => w.Pool(op.Kernel, stride, op.Kernel / 2);

    public override IReadOnlyList<Type> ModuleTypes => [typeof(CellPool)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var pool = (CellPool)module;
        return pool.Max
            ? e.MaxPool(x, pool.Kernel, pool.Stride, pool.Kernel / 2)
            : e.AveragePool(x, pool.Kernel, pool.Stride, pool.Kernel / 2, countIncludePad: false);
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
