namespace Research.Models.Cells;

/// <summary><c>skip</c>: the identity, or a factorized 1×1 reduction when the edge strides (DARTS's skip_connect).</summary>
public sealed class SkipOpForm : CellOpForm
{
    public override string Name => "skip";
    public override string Syntax => "skip";
    public override bool IsSkip => true;

    public override CellOp? TryParse(string name, string definition) => definition == "skip" ? new CellOp(name, definition, this) : null;

    public override Module<Tensor, Tensor> Build(CellOp op, int channels, int stride, BlockContext ctx, bool search) =>
        stride == 1 ? new Identity() : new FactorizedReduce(channels, channels, ctx, affine: !search && ctx.Affine);

    public override void Cost(CostWalker w, string path, CellOp op, int channels, int stride, int channelDivisor)
    {
        if (stride > 1) FactorizedReduce.Cost(w, path, channels);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(FactorizedReduce)];

    public override string Export(OnnxEmitter e, Module module, string x, string path) => FactorizedReduce.Export(e, (FactorizedReduce)module, x, path);
}
