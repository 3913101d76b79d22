namespace Research.Models.Cells;

/// <summary>
/// A derived cell: the two previous cells' outputs brought to width C (a factorized reduction
/// for the older one when the previous cell reduced), each node the sum of its two edges' ops,
/// and the concatenated nodes as output. In a reduction cell, edges from the inputs stride.
/// </summary>
public sealed class Cell : Module<(Tensor s0, Tensor s1), Tensor>
{
    private readonly CellGenotype _cell;
    private readonly bool[] _isIdentity;
    private readonly DropRate _drop;

    public Cell(Genotype genotype, bool reduction, bool reductionPrev, int cPrevPrev, int cPrev, int c, BlockContext ctx)
        : base(nameof(Cell))
    {
        _cell = reduction ? genotype.Reduce : genotype.Normal;
        Reduction = reduction;
        Preprocess0 = reductionPrev ? new FactorizedReduce(cPrevPrev, c, ctx) : new ReluConvBn(cPrevPrev, c, ctx);
        Preprocess1 = new ReluConvBn(cPrev, c, ctx);
        register_module("preprocess0", Preprocess0);
        register_module("preprocess1", Preprocess1);
        Ops = new ModuleList<Module<Tensor, Tensor>>();
        _isIdentity = new bool[_cell.Edges.Count];
        for (int i = 0; i < _cell.Edges.Count; i++)
        {
            var e = _cell.Edges[i];
            int stride = reduction && e.Input < 2 ? 2 : 1;
            var op = genotype.Op(e.Op);
            var m = op.Form.Build(op, c, stride, ctx, search: false)!;
            _isIdentity[i] = m is Identity;
            Ops.Add(m);
        }
        register_module("ops", Ops);
        OutChannels = _cell.Concat.Count * c;
        _drop = ctx.Drop;
    }

    public bool Reduction { get; }
    /// <summary>The cell's edges and concatenation (the genotype's normal or reduction cell).</summary>
    public CellGenotype Genotype => _cell;
    public Module<Tensor, Tensor> Preprocess0 { get; }
    public ReluConvBn Preprocess1 { get; }
    public ModuleList<Module<Tensor, Tensor>> Ops { get; }
    public int OutChannels { get; }

    public override Tensor forward((Tensor s0, Tensor s1) input)
    {
        var states = new List<Tensor> { Preprocess0.call(input.s0), Preprocess1.call(input.s1) };
        for (int node = 0; node < _cell.Nodes; node++)
        {
            Tensor? sum = null;
            for (int k = 0; k < CellGenotype.EdgesPerNode; k++)
            {
                int i = node * CellGenotype.EdgesPerNode + k;
                var h = Ops[i].call(states[_cell.Edges[i].Input]);
                if (!_isIdentity[i]) h = _drop.Apply(h, training);
                sum = sum is null ? h : sum + h;
            }
            states.Add(sum!);
        }
        return torch.cat(_cell.Concat.Select(i => states[i]).ToArray(), 1);
    }
}

/// <summary>The cells of a cell network in order, each reading the two before it (the stem output twice at the start).</summary>
public sealed class CellStack : Module<Tensor, Tensor>
{
    private readonly int _tap;

    /// <param name="tap">The cell whose output <see cref="Tapped"/> keeps in training (an auxiliary head reads it); -1: none.</param>
    public CellStack(IEnumerable<Cell> cells, int tap = -1) : base(nameof(CellStack))
    {
        Cells = new ModuleList<Cell>(cells.ToArray());
        register_module("cells", Cells);
        _tap = tap;
    }

    public ModuleList<Cell> Cells { get; }

    /// <summary>The tapped cell's output in the last training forward pass (owned by that pass's scope), else null.</summary>
    public Tensor? Tapped { get; private set; }

    public override Tensor forward(Tensor x)
    {
        Tapped = null;
        Tensor s0 = x, s1 = x;
        for (int i = 0; i < Cells.Count; i++)
        {
            (s0, s1) = (s1, Cells[i].call((s0, s1)));
            if (i == _tap && training) Tapped = s1;
        }
        return s1;
    }
}
