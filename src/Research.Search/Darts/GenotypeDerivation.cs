using Research.Models.Cells;

namespace Research.Search.Darts;

/// <summary>
/// DARTS's discretisation as a pure function of the architecture weights: for each node, keep
/// the two incoming edges whose strongest non-zero op is strongest (times the edge weight
/// under PC-DARTS's edge normalisation), with that op on each. A cap on skip connections in the
/// normal cell (P-DARTS) replaces the weakest skips by their edges' best other op, re-deriving
/// the node, until the cap holds.
/// </summary>
public static class GenotypeDerivation
{
    /// <param name="weights">Softmax op weights [edges, ops] (row e: node n's edge from state j, in order).</param>
    /// <param name="edgeWeights">Per-edge weights (PC-DARTS's softmaxed β), or null.</param>
    /// <param name="skipCap">At most this many skip connections (null: no cap).</param>
    public static CellGenotype DeriveCell(double[,] weights, double[]? edgeWeights, IReadOnlyList<CellOp> ops, int nodes, int? skipCap = null)
    {
        int edges = weights.GetLength(0);
        if (weights.GetLength(1) != ops.Count) throw new ArgumentException($"weights have {weights.GetLength(1)} ops, the space {ops.Count}");
        int expected = Enumerable.Range(0, nodes).Sum(i => i + 2);
        if (edges != expected) throw new ArgumentException($"weights have {edges} edges; {nodes} nodes need {expected}");
        var banned = new bool[edges, ops.Count];
        while (true)
        {
            var (chosen, cell) = Derive(weights, edgeWeights, ops, nodes, banned);
            if (skipCap is not { } cap) return cell;
            var skips = chosen.Where(c => ops[c.op].IsSkip).ToList();
            if (skips.Count <= cap) return cell;
            // Ban the weakest chosen skip and derive again.
            var weakest = skips.MinBy(c => weights[c.edge, c.op])!;
            banned[weakest.edge, weakest.op] = true;
        }
    }

    private static (List<(int edge, int op)> chosen, CellGenotype cell) Derive(double[,] w, double[]? ew, IReadOnlyList<CellOp> ops, int nodes, bool[,] banned)
    {
        var chosen = new List<(int edge, int op)>();
        var edges = new List<GenotypeEdge>();
        int offset = 0;
        for (int n = 0; n < nodes; n++)
        {
            var candidates = new List<(int input, int edge, int op, double strength)>();
            for (int j = 0; j < n + 2; j++)
            {
                int e = offset + j;
                int best = -1;
                for (int o = 0; o < ops.Count; o++)
                    if (!ops[o].IsZero && !banned[e, o] && (best < 0 || w[e, o] > w[e, best])) best = o;
                if (best >= 0) candidates.Add((j, e, best, w[e, best] * (ew?[e] ?? 1.0)));
            }
            if (candidates.Count < CellGenotype.EdgesPerNode)
                throw new InvalidOperationException($"node {n + 2}: fewer than {CellGenotype.EdgesPerNode} edges have an allowed op");
            // Strongest first; ties go to the earlier input, so the result is deterministic.
            foreach (var c in candidates.OrderByDescending(c => c.strength).ThenBy(c => c.input).Take(CellGenotype.EdgesPerNode).OrderBy(c => c.input))
            {
                chosen.Add((c.edge, c.op));
                edges.Add(new GenotypeEdge(ops[c.op].Name, c.input));
            }
            offset += n + 2;
        }
        var concat = Enumerable.Range(2, nodes).ToEquatableList();
        return (chosen, new CellGenotype(edges.ToEquatableList(), concat));
    }

    /// <summary>Both cells, keeping only the ops they use; the cap applies to the normal cell.</summary>
    public static Genotype Derive(double[,] normal, double[,] reduce, double[]? normalEdges, double[]? reduceEdges, IReadOnlyList<CellOp> ops, int nodes, int? skipCap)
    {
        var n = DeriveCell(normal, normalEdges, ops, nodes, skipCap);
        var r = DeriveCell(reduce, reduceEdges, ops, nodes, null);
        return new Genotype(n, r, Genotype.UsedOps(ops, n, r)).Validate();
    }

    /// <summary>A uniformly random genotype: per node two distinct inputs, each with a random non-zero op (the random-search baseline).</summary>
    public static Genotype Random(IReadOnlyList<CellOp> ops, int nodes, Random rng)
    {
        var allowed = ops.Where(o => !o.IsZero).ToList();
        CellGenotype Cell()
        {
            var edges = new List<GenotypeEdge>();
            for (int n = 0; n < nodes; n++)
            {
                var inputs = Enumerable.Range(0, n + 2).OrderBy(_ => rng.Next()).Take(2).Order();
                foreach (var j in inputs) edges.Add(new GenotypeEdge(allowed[rng.Next(allowed.Count)].Name, j));
            }
            return new CellGenotype(edges.ToEquatableList(), Enumerable.Range(2, nodes).ToEquatableList());
        }
        var normal = Cell();
        var reduce = Cell();
        return new Genotype(normal, reduce, Genotype.UsedOps(ops, normal, reduce)).Validate();
    }
}
