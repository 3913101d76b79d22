using System.Security.Cryptography;
using System.Text;

namespace Research.Models.LatencyTables;

/// <summary>What a part of a network is: its role decides how a table's entry for it is measured outside the network.</summary>
public enum PartRole
{
    Stem,
    Block,
    /// <summary>Head convolution, pooling, hidden layer, classifier.</summary>
    Head,
    CellPreprocess,
    CellOp,
    /// <summary>A cell's node sums and output concatenation.</summary>
    CellGlue,
}

/// <summary>
/// One occurrence of a part in a built network: its key, how to run it alone (<see cref="Forward"/>, on an input of the
/// key's shape with any batch), for stems and blocks the block spec it was built from (to build it again elsewhere), and for
/// a cell op its definition (the group a per-op calibration factor is fitted to; "" for other parts).
/// </summary>
public sealed record TracedPart(LatencyKey Key, PartRole Role, Func<Tensor, Tensor> Forward, BlockSpec? Block, string Group = "");

/// <summary>
/// A network built from its spec and cut into the parts a latency table holds, found by running it once (batch 1) with
/// hooks that record each part's input shape: the stem, every block (by its spec text, stride as built), the head, and for
/// cell networks each cell's two preprocessing modules, each edge's op and the node sums with the concatenation. Only
/// specs and modules are read, never a block kind, so a new kind is traced without edits. Disposing frees the network.
/// </summary>
public sealed class TracedNetwork : IDisposable
{
    private TracedNetwork(Network network, List<TracedPart> parts)
    {
        Network = network;
        Parts = parts;
    }

    public Network Network { get; }
    public NetworkSpec Spec => Network.Spec;
    /// <summary>Every part in forward order, one per occurrence.</summary>
    public IReadOnlyList<TracedPart> Parts { get; }

    /// <summary>The distinct keys with how often each occurs.</summary>
    public IReadOnlyList<LatencyPartCount> Counts =>
        Parts.GroupBy(p => p.Key).Select(g => new LatencyPartCount(g.Key, g.Count(), g.First().Group)).ToList();

    /// <summary>The sum of the entries of this network's cell-op parts, by op definition (what a network row's op_parts keeps; null without cell ops).</summary>
    public Dictionary<string, double>? CellOpMs(Func<LatencyKey, double> entry)
    {
        var ops = Parts.Where(p => p.Role == PartRole.CellOp).GroupBy(p => p.Group).ToDictionary(g => g.Key, g => g.Sum(p => entry(p.Key)), StringComparer.Ordinal);
        return ops.Count == 0 ? null : ops;
    }

    public static TracedNetwork Trace(NetworkSpec spec)
    {
        var net = NetworkBuilder.Build(spec);
        try
        {
            net.eval();
            return new TracedNetwork(net, Cut(net));
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private static List<TracedPart> Cut(Network net)
    {
        var spec = net.Spec;
        var inputs = new Dictionary<Module, long[]>(ReferenceEqualityComparer.Instance);
        var outputs = new Dictionary<Module, long[]>(ReferenceEqualityComparer.Instance);
        var hooks = new List<IDisposable>();
        void Watch(Module<Tensor, Tensor> m) => hooks.Add(m.register_forward_hook((_, x, y) =>
        {
            inputs[m] = x.shape;
            outputs[m] = y.shape;
        }));
        Watch(net.Stem);
        Watch(net.Stages);
        var blocks = net.Blocks().ToList();
        var cells = net.named_modules().Select(m => m.module).OfType<Cell>().ToList();
        if (cells.Count == 0) foreach (var b in blocks) Watch(b.Block);
        foreach (var cell in cells)
        {
            Watch(cell.Preprocess0);
            Watch(cell.Preprocess1);
            foreach (var op in cell.Ops) Watch(op);
        }
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            net.call(torch.zeros([1, spec.InChannels, spec.Resolution, spec.Resolution]));
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }

        var parts = new List<TracedPart>();
        var stem = spec.EffectiveStem with { Repeats = 1 };
        parts.Add(new TracedPart(Key(stem.ToString(), net.Stem, inputs[net.Stem]), PartRole.Stem, net.Stem.call, stem));
        if (cells.Count == 0)
        {
            // Block i of stage s is repeat r of one of the stage's specs; only the first repeat has the spec's stride.
            var instances = spec.Stages.Select(stage => stage.SelectMany(b => Enumerable.Range(0, b.Repeats).Select(r => (b, r))).ToList()).ToList();
            foreach (var (s, i, module) in blocks)
            {
                var (b, r) = instances[s][i];
                var block = b with { Repeats = 1, Stride = r == 0 ? b.Stride : 1 };
                parts.Add(new TracedPart(Key(block.ToString(), module, inputs[module]), PartRole.Block, module.call, block));
            }
        }
        var genotype = spec.Cell;
        foreach (var cell in cells)
        {
            foreach (var pre in new[] { cell.Preprocess0, cell.Preprocess1 })
                parts.Add(new TracedPart(Key($"{pre.GetName}_c{outputs[pre][1]}", pre, inputs[pre]), PartRole.CellPreprocess, pre.call, null));
            for (int i = 0; i < cell.Ops.Count; i++)
            {
                var op = cell.Ops[i];
                var edge = cell.Genotype.Edges[i];
                int stride = cell.Reduction && edge.Input < 2 ? 2 : 1;
                string definition = genotype!.Op(edge.Op).Definition;
                parts.Add(new TracedPart(Key($"{definition}_s{stride}_c{outputs[op][1]}", op, inputs[op]), PartRole.CellOp, op.call, null, definition));
            }
            var nodeShape = outputs[cell.Ops[0]];
            int nodes = cell.Genotype.Nodes, concat = cell.Genotype.Concat.Count;
            parts.Add(new TracedPart(new LatencyKey($"cell_glue_n{nodes}_k{concat}", "glue", (int)nodeShape[1], (int)nodeShape[2], (int)nodeShape[3]),
                PartRole.CellGlue, x => Glue(x, nodes, concat), null));
        }
        var headInput = outputs[net.Stages];
        var headModules = new Module?[] { net.HeadConv, net.Hidden, net.HiddenAct, net.Classifier }.Where(m => m is not null).Cast<Module>().ToList();
        parts.Add(new TracedPart(new LatencyKey(HeadText(spec), Structure(headModules), (int)headInput[1], (int)headInput[2], (int)headInput[3]), PartRole.Head,
            x => Head(net, x), null));
        return parts;
    }

    private static LatencyKey Key(string op, Module m, long[] input) => new(op, Structure([m]), (int)input[1], (int)input[2], (int)input[3]);

    /// <summary>A short hash of the modules' types (by path) and parameter shapes: what distinguishes two modules with the same text.</summary>
    public static string Structure(IReadOnlyList<Module> modules)
    {
        var text = new StringBuilder();
        for (int i = 0; i < modules.Count; i++)
        {
            foreach (var (name, m) in modules[i].named_modules()) text.Append(i).Append(':').Append(name).Append('=').Append(m.GetName).Append(';');
            foreach (var (name, p) in modules[i].named_parameters()) text.Append(i).Append(':').Append(name).Append('[').Append(string.Join(',', p.shape)).Append("];");
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..8].ToLowerInvariant();
    }

    /// <summary>The head as text: its convolution, hidden layer and classes.</summary>
    public static string HeadText(NetworkSpec spec)
    {
        var h = spec.Head;
        var text = new StringBuilder("head");
        if (h.ConvChannels > 0) text.Append("_conv").Append(h.ConvChannels).Append("_a").Append(h.ConvActivation.Name());
        if (h.HiddenFeatures > 0) text.Append(h.HiddenAsConv ? "_hiddenconv" : "_hidden").Append(h.HiddenFeatures).Append("_a").Append(h.HiddenActivation.Name());
        return text.Append("_classes").Append(spec.Classes).ToString();
    }

    /// <summary>The head's forward from the stages' output, as <see cref="Network.forward"/> computes it (dropout is the identity at eval).</summary>
    private static Tensor Head(Network net, Tensor y)
    {
        if (net.HeadConv is not null) y = net.HeadConv.call(y);
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1);
        if (net.Hidden is not null)
        {
            if (!net.Spec.Head.HiddenAsConv) y = y.flatten(1);
            y = net.Hidden.call(y);
            if (net.HiddenAct is not null) y = net.HiddenAct.call(y);
        }
        return net.Classifier.call(net.Dropout.call(y.flatten(1)));
    }

    /// <summary>A cell's own arithmetic besides its ops: one sum of two states per node, the concatenation of its output nodes.</summary>
    private static Tensor Glue(Tensor x, int nodes, int concat)
    {
        var sums = Enumerable.Range(0, nodes).Select(_ => x + x).ToList();
        return torch.cat(Enumerable.Range(0, concat).Select(i => sums[i % nodes]).ToArray(), 1);
    }

    public void Dispose() => Network.Dispose();
}
