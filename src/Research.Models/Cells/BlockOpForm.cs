namespace Research.Models.Cells;

/// <summary>
/// A block template as an op: any registered block kind's text form without r, s and c (the
/// cell sets them), e.g. <c>ir_k3_e3_arelu_noskip</c> or DARTS's <c>sp_k3</c>. The kind builds,
/// counts and exports it.
/// </summary>
public sealed class BlockOpForm : CellOpForm
{
    public override string Name => "block";
    public override string Syntax => "a block template such as ir_k3_e3_arelu";

    public override CellOp? TryParse(string name, string def)
    {
        foreach (var tok in def.Split('_').Skip(1))
            if (tok.Length > 1 && tok[0] is 'r' or 's' or 'c' && char.IsAsciiDigit(tok[1]))
                throw new SpecFormatException($"op '{name}': '{def}': token '{tok}': a cell op takes no repeats, stride or channels (the cell sets them)");
        BlockSpec template;
        try
        {
            template = BlockSpec.ParseTemplate(def);
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"op '{name}': '{def}' is not none, skip, max_pool_kK, avg_pool_kK or a block template: {e.Message}");
        }
        if (template.MaxPool) throw new SpecFormatException($"op '{name}': '{def}': the mp flag changes the size; use max_pool_k3");
        if (template.Kind is CellKind) throw new SpecFormatException($"op '{name}': '{def}': a cell cannot be an op of a cell");
        return new CellOp(name, def, this, template: template);
    }

    public override void CheckWidth(CellOp op, int channels)
    {
        foreach (int stride in new[] { 1, 2 })
        {
            var place = new BlockPlace(channels, op.BlockFor(channels, stride), 0);
            if (place.Spec.Kind.CheckInput(place) is { } why) throw new SpecFormatException($"op '{op.Name}' ({op.Definition}) at width {channels}: {why}");
        }
    }

    /// <summary>Drop-path is applied per edge by the cell, so the block itself gets none.</summary>
    public override Module<Tensor, Tensor> Build(CellOp op, int channels, int stride, BlockContext ctx, bool search)
    {
        var place = new BlockPlace(channels, op.BlockFor(channels, stride), 0);
        return place.Spec.Kind.Build(place, ctx with { DropConnect = 0 });
    }

    public override void Cost(CostWalker w, string path, CellOp op, int channels, int stride, int channelDivisor)
    {
        var place = new BlockPlace(channels, op.BlockFor(channels, stride), 0);
        place.Spec.Kind.Cost(w, path, place, channelDivisor);
    }
}
