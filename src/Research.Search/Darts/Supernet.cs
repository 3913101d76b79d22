using Research.Models.Blocks;
using Research.Models.Cells;
using Research.Models.Cost;

namespace Research.Search.Darts;

/// <summary>The supernet's network weights: stem, search cells and classifier (everything but the architecture).</summary>
public sealed class SupernetWeights : Module
{
    public SupernetWeights(SearchSpace space, int inChannels, int classes, int partialChannels) : base(nameof(SupernetWeights))
    {
        var layout = space.Supernet;
        var ctx = new BlockContext(1e-5, 0.1, 2) { Affine = layout.Affine };
        int stemC = layout.Channels * layout.StemMultiplier;
        Stem = new ConvBnAct(inChannels, stemC, 3, layout.StemStride, 1, Activation.None, ctx with { Affine = true });
        register_module("stem", Stem);
        Cells = new ModuleList<SearchCell>();
        foreach (var slot in CellStacking.Stack(stemC, 0, layout.CellWidths(), _ => space.Nodes))
            Cells.Add(new SearchCell(space.Ops, space.Nodes, slot.CPrevPrev, slot.CPrev, slot.C, slot.Reduction, slot.ReductionPrev, partialChannels, ctx));
        register_module("cells", Cells);
        Classifier = torch.nn.Linear(Cells[Cells.Count - 1].OutChannels, classes);
        register_module("classifier", Classifier);
    }

    public ConvBnAct Stem { get; }
    public ModuleList<SearchCell> Cells { get; }
    public Torch.Modules.Linear Classifier { get; }
}

/// <summary>
/// The DARTS supernet: <see cref="Weights"/> (trained on the training half by SGD) and
/// <see cref="Arch"/> (trained on the validation half by Adam), registered as two named groups
/// so optimizers, checkpoints and clipping never mix them.
/// </summary>
public sealed class Supernet : Module<Tensor, Tensor>
{
    public Supernet(SearchSpace space, int inChannels, int classes, int resolution, int partialChannels = 1) : base(nameof(Supernet))
    {
        Space = space;
        PartialChannels = partialChannels;
        Weights = new SupernetWeights(space, inChannels, classes, partialChannels);
        Arch = new ArchitectureParameters(space.Edges, space.Ops.Count);
        register_module("weights", Weights);
        register_module("arch", Arch);
        (NormalMacs, ReduceMacs) = MacsTables(space, resolution);
    }

    public SearchSpace Space { get; }
    public int PartialChannels { get; }
    public SupernetWeights Weights { get; }
    public ArchitectureParameters Arch { get; }

    /// <summary>MACs (millions) of each op on each edge, summed over the normal (reduction) cells, at full width: [edges, ops].</summary>
    public double[,] NormalMacs { get; }
    public double[,] ReduceMacs { get; }

    public IEnumerable<Parameter> WeightParameters => Weights.parameters();
    public IEnumerable<Parameter> ArchParameters => Arch.parameters();

    public override Tensor forward(Tensor x)
    {
        var s0 = Weights.Stem.call(x);
        var s1 = s0;
        var wn = Arch.AlphasNormal.softmax(-1);
        var wr = Arch.AlphasReduce.softmax(-1);
        Tensor[]? en = null, er = null;
        if (PartialChannels > 1)
        {
            en = ArchitectureParameters.EdgeWeights(Arch.BetasNormal, Space.Nodes);
            er = ArchitectureParameters.EdgeWeights(Arch.BetasReduce, Space.Nodes);
        }
        foreach (var cell in Weights.Cells)
            (s0, s1) = (s1, cell.Reduction ? cell.Forward(s0, s1, wr, er) : cell.Forward(s0, s1, wn, en));
        var pooled = torch.nn.functional.adaptive_avg_pool2d(s1, 1).flatten(1);
        return Weights.Classifier.call(pooled);
    }

    /// <summary>
    /// The expected MACs (millions) of the cells' ops under the current op weights: Σ softmax(α)·MACs,
    /// differentiable in α (the MACs-aware penalty of hardware-aware search).
    /// </summary>
    public Tensor ExpectedMacs()
    {
        using var mn = torch.tensor(Flatten(NormalMacs), [NormalMacs.GetLength(0), NormalMacs.GetLength(1)]);
        using var mr = torch.tensor(Flatten(ReduceMacs), [ReduceMacs.GetLength(0), ReduceMacs.GetLength(1)]);
        return (Arch.AlphasNormal.softmax(-1) * mn).sum() + (Arch.AlphasReduce.softmax(-1) * mr).sum();
    }

    /// <summary>The latency tables of the latency-aware search (null: none), set by the search when it is given a latency table.</summary>
    public Latency.CellLatency? Latency { get; set; }

    /// <summary>
    /// The expected latency (ms) of the network the genotype will be trained in under the current op weights: the fixed parts
    /// plus Σ softmax(α)·entry over both cell kinds, differentiable in α (ProxylessNAS's and FBNet's expected latency).
    /// </summary>
    public Tensor ExpectedLatency()
    {
        var tables = Latency ?? throw new InvalidOperationException("the supernet has no latency table");
        using var ln = torch.tensor(Flatten(tables.Normal), [tables.Normal.GetLength(0), tables.Normal.GetLength(1)]);
        using var lr = torch.tensor(Flatten(tables.Reduce), [tables.Reduce.GetLength(0), tables.Reduce.GetLength(1)]);
        return (Arch.AlphasNormal.softmax(-1) * ln.to(Arch.AlphasNormal.device)).sum() + (Arch.AlphasReduce.softmax(-1) * lr.to(Arch.AlphasReduce.device)).sum() + tables.Fixed;
    }

    private static float[] Flatten(double[,] a) => a.Cast<double>().Select(v => (float)v).ToArray();

    private static (double[,], double[,]) MacsTables(SearchSpace space, int resolution)
    {
        var layout = space.Supernet;
        var normal = new double[space.Edges, space.Ops.Count];
        var reduce = new double[space.Edges, space.Ops.Count];
        int stemSize = layout.StemStride == 2 ? (resolution + 1) / 2 : resolution;
        foreach (var slot in CellStacking.Stack(layout.Channels * layout.StemMultiplier, stemSize, layout.CellWidths(), _ => space.Nodes))
        {
            var table = slot.Reduction ? reduce : normal;
            int e = 0;
            for (int n = 0; n < space.Nodes; n++)
                for (int j = 0; j < n + 2; j++, e++)
                {
                    int stride = slot.Reduction && j < 2 ? 2 : 1;
                    int inSize = j < 2 ? slot.SizePrev : slot.OutSize;
                    for (int o = 0; o < space.Ops.Count; o++)
                        table[e, o] += CostModel.OpCost(space.Ops[o], slot.C, stride, inSize, inSize).Macs / 1e6;
                }
        }
        return (normal, reduce);
    }
}
