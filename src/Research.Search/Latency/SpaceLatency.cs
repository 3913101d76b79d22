using Research.Models.Cells;
using Research.Models.LatencyTables;
using Research.Search.Darts;

namespace Research.Search.Latency;

/// <summary>
/// A cell network's latency as DARTS needs it, from a latency table: a fixed part (stem, head, each cell's preprocessing
/// and node sums) and, for every supernet edge and op, the op's entry summed over the cells of that kind (normal or
/// reduction) in the layout the genotype will be trained in. Each edge's entries are weighted by 2/(inputs of its node):
/// a derived node keeps two of its incoming edges, so with uniform choices the expectation is the derived network's latency.
/// Every figure is multiplied by its factor in the table's calibration (the op's own where it is fitted per cell op, the rest's
/// for the fixed part), so the expectation is on the scale of the table's network predictions.
/// </summary>
public sealed record CellLatency(double Fixed, double[,] Normal, double[,] Reduce);

public static class SpaceLatency
{
    /// <summary>
    /// A genotype whose every edge is <paramref name="op"/>: node 0 reads both inputs, node k reads input 0 and node k − 1,
    /// so each cell has the op on an edge from its inputs (strided in a reduction cell) and, with two nodes or more, on an
    /// edge from a node. Tracing it finds every entry the op can need in a layout.
    /// </summary>
    public static Genotype Probe(SearchSpace space, CellOp op)
    {
        if (op.IsZero) throw new ArgumentException($"op '{op.Name}' is the zero op: it has no latency to measure");
        var edges = Enumerable.Range(0, space.Nodes).SelectMany(n => new[] { new GenotypeEdge(op.Name, 0), new GenotypeEdge(op.Name, n == 0 ? 1 : n + 1) });
        var cell = new CellGenotype(edges.ToEquatableList(), Enumerable.Range(2, space.Nodes).ToEquatableList());
        return new Genotype(cell, cell, new EquatableList<CellOp>([op])).Validate();
    }

    /// <summary>One network per op (the zero op has none) whose parts cover every part a genotype of the space can have in this layout.</summary>
    public static IEnumerable<NetworkSpec> ProbeSpecs(SearchSpace space, CellNetworkLayout layout) =>
        space.Ops.Where(o => !o.IsZero).Select(o => layout.ToSpec(Probe(space, o), $"probe-{space.Name}-{o.Name}"));

    /// <summary>The tables of expected latency for a DARTS search over <paramref name="space"/>, in the layout its genotype trains in.</summary>
    public static CellLatency ForDarts(SearchSpace space, CellNetworkLayout layout, LatencyTable table)
    {
        int edges = space.Edges, ops = space.Ops.Count;
        var normal = new double[edges, ops];
        var reduce = new double[edges, ops];
        var reductions = layout.ReductionCells.ToHashSet();
        double? fixedPart = null;
        for (int o = 0; o < ops; o++)
        {
            if (space.Ops[o].IsZero) continue;
            using var traced = TracedNetwork.Trace(layout.ToSpec(Probe(space, space.Ops[o]), $"probe-{space.Name}-{space.Ops[o].Name}"));
            fixedPart ??= traced.Parts.Where(p => p.Role != PartRole.CellOp).Sum(p => table.Entry(p.Key));
            var opParts = traced.Parts.Where(p => p.Role == PartRole.CellOp).ToList();
            int perCell = 2 * space.Nodes;
            for (int c = 0; c < layout.Cells; c++)
            {
                // Edge 0 reads an input; edge 3 (node 1's second) reads a node.
                double fromInput = table.Entry(opParts[c * perCell].Key);
                double fromNode = space.Nodes > 1 ? table.Entry(opParts[c * perCell + 3].Key) : 0;
                var target = reductions.Contains(c) ? reduce : normal;
                int e = 0;
                for (int n = 0; n < space.Nodes; n++)
                    for (int j = 0; j < n + 2; j++, e++)
                        target[e, o] += 2.0 / (n + 2) * (j < 2 ? fromInput : fromNode);
            }
        }
        // The calibration (fitted to the networks a --space table measured whole) scales the expectation linearly, as it scales Predict.
        for (int o = 0; o < ops; o++)
        {
            double f = table.Factors.Factor(space.Ops[o].Definition);
            for (int e = 0; e < edges; e++)
            {
                normal[e, o] *= f;
                reduce[e, o] *= f;
            }
        }
        return new CellLatency((fixedPart ?? 0) * table.Factors.Rest, normal, reduce);
    }
}
