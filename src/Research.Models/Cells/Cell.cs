using Research.Models.Blocks;
using Research.Torch;
using Research.Torch.Modules;

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
    private readonly double _dropPath;

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
            var m = CellOpFactory.Build(genotype.Op(e.Op), c, stride, ctx)!;
            _isIdentity[i] = m is Identity;
            Ops.Add(m);
        }
        register_module("ops", Ops);
        OutChannels = _cell.Concat.Count * c;
        _dropPath = ctx.DropConnect;
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
                if (!_isIdentity[i]) h = DropConnect.Apply(h, _dropPath, training);
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
    public CellStack(IEnumerable<Cell> cells) : base(nameof(CellStack))
    {
        Cells = new ModuleList<Cell>(cells.ToArray());
        register_module("cells", Cells);
    }

    public ModuleList<Cell> Cells { get; }

    public override Tensor forward(Tensor x)
    {
        Tensor s0 = x, s1 = x;
        foreach (var cell in Cells) (s0, s1) = (s1, cell.call((s0, s1)));
        return s1;
    }
}
