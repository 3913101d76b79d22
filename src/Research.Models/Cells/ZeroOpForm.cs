namespace Research.Models.Cells;

/// <summary><c>none</c>: DARTS's zero op; the edge contributes nothing and is never derived.</summary>
public sealed class ZeroOpForm : CellOpForm
{
    public override string Name => "none";
    public override string Syntax => "none";
    public override bool IsZero => true;

    public override CellOp? TryParse(string name, string definition) => definition == "none" ? new CellOp(name, definition, this) : null;

    public override Module<Tensor, Tensor>? Build(CellOp op, int channels, int stride, BlockContext ctx, bool search) => null;

    public override void Cost(CostWalker walker, string path, CellOp op, int channels, int stride, int channelDivisor) { }
}
