using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Research.Models.Export;
using Research.Models.LatencyTables;
using Research.Models.Networks;
using Research.Models.Specs;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Latency in ONNX Runtime on the CPU: the network exported as `research export` exports it (batch norm folded), run by an
/// InferenceSession with the given intra-op threads, one inter-op thread, all graph optimisations. A part is measured alone
/// by exporting a probe network (1×1 convolutions that bring the input to the part's shape, the part, a pooled linear
/// head) and cutting the graph down to the part's nodes; its module must be the one traced (its structure hash).
/// Block networks only: a cell's ops cannot be exported alone yet.
/// </summary>
public sealed class OnnxRuntimeEngine(int threads) : ILatencyEngine
{
    public string Name => "onnxruntime";
    public string Version => typeof(InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "unknown";
    public Device Device => Device.CPU;

    public double MeasurePart(TracedNetwork network, TracedPart part, int batch, LatencyTiming timing)
    {
        var key = part.Key;
        int down = 0;
        while (key.Height << down < 8) down++;
        var downsample = Enumerable.Range(0, down).Select(i => BlockSpec.Parse($"cn_r1_k1_s2_c{key.Channels}_anone")).ToList();
        var stem = BlockSpec.Parse($"cn_r1_k1_s1_c{key.Channels}_anone");
        if (downsample.Count > 0)
        {
            stem = downsample[0];
            downsample.RemoveAt(0);
        }
        int leading = 1 + downsample.Count;
        var (blocks, head, trailing) = part.Role switch
        {
            PartRole.Stem or PartRole.Block => (downsample.Append(part.Block!).ToList(), new HeadSpec(), 3),
            // The head's input comes through one more 1×1 convolution, so the stages are not empty.
            PartRole.Head => (downsample.Append(BlockSpec.Parse($"cn_r1_k1_s1_c{key.Channels}_anone")).ToList(), network.Spec.Head, 0),
            _ => throw new ArgumentException(
                $"the onnxruntime engine measures block networks (stems, blocks, heads); {key.Op} is a cell's part, which cannot be exported alone yet: use --engine libtorch"),
        };
        if (part.Role == PartRole.Head) leading++;
        var probeSpec = network.Spec with
        {
            Name = "probe", Stem = stem, Stages = new EquatableList<EquatableList<BlockSpec>>([new EquatableList<BlockSpec>(blocks)]), Head = head,
            InChannels = key.Channels, Resolution = key.Height << down, SmallInput = false, DropConnect = 0, Cell = null,
            Classes = part.Role == PartRole.Head ? network.Spec.Classes : 2,
        };
        using var probe = NetworkBuilder.Build(probeSpec);
        var probed = part.Role == PartRole.Head
            ? TracedNetwork.Structure(new Research.Torch.Modules.Module?[] { probe.HeadConv, probe.Hidden, probe.HiddenAct, probe.Classifier }.OfType<Research.Torch.Modules.Module>().ToList())
            : TracedNetwork.Structure([probe.Blocks().Last().Block]);
        if (probed != key.Structure)
            throw new NotSupportedException($"{key}: built alone, the part is another module (structure {probed}); the onnxruntime engine cannot measure it alone");
        var model = OnnxExporter.Export(probe, new OnnxExportOptions { Resolution = probeSpec.Resolution, Batch = batch });
        Cut(model, leading, trailing, [batch, key.Channels, key.Height, key.Width]);
        return Time(model, [batch, key.Channels, key.Height, key.Width], timing);
    }

    public double MeasureNetwork(TracedNetwork network, int batch, LatencyTiming timing)
    {
        var spec = network.Spec;
        var model = OnnxExporter.Export(network.Network, new OnnxExportOptions { Resolution = spec.Resolution, Batch = batch });
        return Time(model, [batch, spec.InChannels, spec.Resolution, spec.Resolution], timing);
    }

    private double Time(ModelProto model, long[] shape, LatencyTiming timing)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var rng = new Random(0);
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var run = new RunOptions();
        string[] inputs = [session.InputMetadata.Keys.Single()], outputs = [session.OutputMetadata.Keys.Single()];
        OrtValue[] values = [input];
        return timing.MedianMilliseconds(() =>
        {
            using var results = session.Run(run, inputs, values, outputs);
        });
    }

    /// <summary>
    /// The graph between the output of its first <paramref name="leading"/> nodes (1×1 convolutions, one after another) and
    /// the input of its last <paramref name="trailing"/> (the probe's pooled linear head), with the initialisers those nodes use.
    /// </summary>
    internal static void Cut(ModelProto model, int leading, int trailing, long[] inputShape)
    {
        var g = model.Graph;
        var nodes = g.Node.ToList();
        if (nodes.Count <= leading + trailing) throw new InvalidOperationException($"a probe graph of {nodes.Count} nodes has no part to cut out");
        for (int i = 0; i < leading; i++)
            if (nodes[i].OpType != "Conv" || (i > 0 && nodes[i].Input[0] != nodes[i - 1].Output[0]))
                throw new InvalidOperationException($"probe graph: node {i} is {nodes[i].OpType}, not the leading convolution expected");
        if (trailing > 0 && !nodes.Skip(nodes.Count - trailing).Select(n => n.OpType).SequenceEqual(["GlobalAveragePool", "Flatten", "Gemm"]))
            throw new InvalidOperationException("probe graph: it does not end in the pooled linear head expected");
        string input = nodes[leading - 1].Output[0];
        string output = trailing > 0 ? nodes[^trailing].Input[0] : nodes[^1].Output[0];
        var kept = nodes.Skip(leading).Take(nodes.Count - leading - trailing).ToList();
        var used = kept.SelectMany(n => n.Input).ToHashSet();
        var graph = new GraphProto { Name = g.Name };
        graph.Node.AddRange(kept);
        graph.Initializer.AddRange(g.Initializer.Where(t => used.Contains(t.Name)));
        graph.Input.Add(Value(input, inputShape));
        graph.Output.Add(Value(output, null));
        model.Graph = graph;
    }

    private static ValueInfoProto Value(string name, long[]? dims)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (dims is not null)
        {
            type.Shape = new TensorShapeProto();
            foreach (var d in dims) type.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }
}
