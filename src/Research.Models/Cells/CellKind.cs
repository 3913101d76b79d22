namespace Research.Models.Cells;

/// <summary>
/// dc: a searched (DARTS) cell of width c, from the network's genotype; stride 2 makes repeat 0
/// a reduction cell. Cells read the two outputs before them, so a cell network's cells are built,
/// counted and exported together as one stack (<see cref="CellStacking"/>), not block by block.
/// </summary>
public sealed class CellKind : BlockKind
{
    public override string Code => "dc";
    public override string Description => "a searched cell of width c from the network's genotype; stride 2 makes a reduction cell";
    public override BlockTokens Accepts => BlockTokens.None;
    public override BlockTokens AlwaysWritten => BlockTokens.None;

    /// <summary>None alone: a cell needs its network's genotype (the registry test builds the DARTS genotype networks instead).</summary>
    public override IReadOnlyList<string> Examples => [];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) =>
        throw new InvalidOperationException($"block '{place.Spec}': cells are built as a stack from the network's genotype");

    public override void Cost(CostWalker walker, string path, BlockPlace place, int channelDivisor) =>
        throw new InvalidOperationException($"block '{place.Spec}': cells are counted as a stack from the network's genotype");

    /// <summary>Cells split their width between two factorized halves.</summary>
    public override int WidthMultiple(BlockSpec spec) => 2;

    private static int Multiplier(Genotype g, bool reduction) => (reduction ? g.Reduce : g.Normal).Concat.Count;

    /// <summary>The cells of a cell network; drop-path follows the network's schedule over the cell index.</summary>
    public CellStack BuildStack(NetworkSpec spec, Genotype genotype, int stemChannels, BlockContext ctx, out int outChannels, out int auxChannels)
    {
        var cells = new List<Cell>();
        int total = spec.BlockCount;
        (outChannels, auxChannels) = (stemChannels, 0);
        foreach (var slot in CellStacking.Stack(stemChannels, 0, CellStacking.Cells(spec), r => Multiplier(genotype, r)))
        {
            var cellCtx = ctx with { DropConnect = NetworkBuilder.DropRate(spec, slot.Index, total) };
            cells.Add(new Cell(genotype, slot.Reduction, slot.ReductionPrev, slot.CPrevPrev, slot.CPrev, slot.C, cellCtx));
            outChannels = slot.OutChannels;
            if (slot.Index == spec.Auxiliary?.AfterCell) auxChannels = slot.OutChannels;
        }
        return new CellStack(cells, spec.Auxiliary?.AfterCell ?? -1);
    }

    /// <summary>The cells' layers (and the auxiliary head's, on the tapped cell's output), from the walker's stem output.</summary>
    public void CostStack(CostWalker w, NetworkSpec spec, Genotype genotype)
    {
        (int Channels, int Height, int Width)? tapped = null;
        var last = w.Shape;
        foreach (var slot in CellStacking.Stack(w.Channels, w.Height, CellStacking.Cells(spec), r => Multiplier(genotype, r)))
        {
            var cell = slot.Reduction ? genotype.Reduce : genotype.Normal;
            string p = $"stages.0.cells.{slot.Index}";
            int c = slot.C;
            // Inputs are brought to width c at the size they come in.
            w.Shape = (slot.CPrevPrev, slot.SizePrevPrev, slot.SizePrevPrev);
            if (slot.ReductionPrev) FactorizedReduce.Cost(w, p + ".preprocess0", c);
            else ReluConvBn(w, p + ".preprocess0", c);
            w.Shape = (slot.CPrev, slot.SizePrev, slot.SizePrev);
            ReluConvBn(w, p + ".preprocess1", c);
            for (int i = 0; i < cell.Edges.Count; i++)
            {
                var e = cell.Edges[i];
                int stride = slot.Reduction && e.Input < 2 ? 2 : 1;
                int size = e.Input < 2 ? slot.SizePrev : slot.OutSize;
                w.Shape = (c, size, size);
                var op = genotype.Op(e.Op);
                op.Form.Cost(w, $"{p}.ops.{i}", op, c, stride, spec.ChannelDivisor);
            }
            last = (slot.OutChannels, slot.OutSize, slot.OutSize);
            if (slot.Index == spec.Auxiliary?.AfterCell) tapped = last;
        }
        if (spec.Auxiliary is not null && tapped is { } t)
        {
            w.Shape = t;
            AuxiliaryHead.Cost(w, "auxiliary", spec.Classes);
        }
        w.Shape = last;
    }

    private static void ReluConvBn(CostWalker w, string p, int outC) => w.ConvBn(p, outC, 1, 1, 1);

    public override IReadOnlyList<Type> ModuleTypes => [typeof(CellStack), typeof(Cell), typeof(ReluConvBn)];

    public override string Export(OnnxEmitter e, Module module, string x, string path) => module switch
    {
        CellStack stack => Stack(e, stack, x, path),
        ReluConvBn rcb => e.Conv(e.Relu(x), rcb.Conv, rcb.Bn, path),
        _ => throw new NotSupportedException($"ONNX export: {path}: a {module.GetType().Name} is exported with its stack"),
    };

    private static string Stack(OnnxEmitter e, CellStack stack, string x, string path)
    {
        string s0 = x, s1 = x;
        for (int i = 0; i < stack.Cells.Count; i++) (s0, s1) = (s1, Cell(e, stack.Cells[i], s0, s1, $"{path}.cells.{i}"));
        return s1;
    }

    private static string Cell(OnnxEmitter e, Cell cell, string s0, string s1, string path)
    {
        var states = new List<string> { e.Module(cell.Preprocess0, s0, path + ".preprocess0"), e.Module(cell.Preprocess1, s1, path + ".preprocess1") };
        var genotype = cell.Genotype;
        for (int node = 0; node < genotype.Nodes; node++)
        {
            string? sum = null;
            for (int k = 0; k < CellGenotype.EdgesPerNode; k++)
            {
                int i = node * CellGenotype.EdgesPerNode + k;
                var h = e.Module(cell.Ops[i], states[genotype.Edges[i].Input], $"{path}.ops.{i}");
                sum = sum is null ? h : e.Add(sum, h);
            }
            states.Add(sum!);
        }
        return e.Concat(genotype.Concat.Select(i => states[i]).ToArray());
    }
}
