using Research.Models.Blocks;
using Research.Models.Cells;

namespace Research.Search.Darts;

/// <summary>
/// A supernet cell: two inputs brought to width C, then N nodes, each the sum of mixed ops on
/// every earlier state (the two inputs and the nodes before it); the output concatenates the
/// nodes. In a reduction cell the edges from the inputs have stride 2.
/// </summary>
public sealed class SearchCell : Module
{
    public SearchCell(IReadOnlyList<CellOp> ops, int nodes, int cPrevPrev, int cPrev, int c, bool reduction, bool reductionPrev,
        int partialChannels, BlockContext ctx) : base(nameof(SearchCell))
    {
        Nodes = nodes;
        Reduction = reduction;
        Preprocess0 = reductionPrev ? new FactorizedReduce(cPrevPrev, c, ctx, affine: false) : new ReluConvBn(cPrevPrev, c, ctx, affine: false);
        Preprocess1 = new ReluConvBn(cPrev, c, ctx, affine: false);
        register_module("preprocess0", Preprocess0);
        register_module("preprocess1", Preprocess1);
        Edges = new ModuleList<MixedOp>();
        for (int n = 0; n < nodes; n++)
            for (int j = 0; j < n + 2; j++)
                Edges.Add(new MixedOp(ops, c, reduction && j < 2 ? 2 : 1, partialChannels, ctx));
        register_module("edges", Edges);
        OutChannels = nodes * c;
    }

    public int Nodes { get; }
    public bool Reduction { get; }
    public Module<Tensor, Tensor> Preprocess0 { get; }
    public ReluConvBn Preprocess1 { get; }
    public ModuleList<MixedOp> Edges { get; }
    public int OutChannels { get; }

    /// <param name="weights">Softmax op weights, shape [edges, ops].</param>
    /// <param name="edgeWeights">PC-DARTS edge normalisation: per node, softmax weights over its incoming edges (null: all 1).</param>
    public Tensor Forward(Tensor s0, Tensor s1, Tensor weights, IReadOnlyList<Tensor>? edgeWeights)
    {
        var states = new List<Tensor> { Preprocess0.call(s0), Preprocess1.call(s1) };
        int offset = 0;
        for (int n = 0; n < Nodes; n++)
        {
            Tensor? sum = null;
            for (int j = 0; j < states.Count; j++)
            {
                var h = Edges[offset + j].Forward(states[j], weights.select(0, offset + j));
                if (edgeWeights is not null) h = h * edgeWeights[n].narrow(0, j, 1);
                sum = sum is null ? h : sum + h;
            }
            offset += states.Count;
            states.Add(sum!);
        }
        return torch.cat(states.Skip(2).ToArray(), 1);
    }
}
