using System.Globalization;
using System.Text;
using Onnx;

namespace Research.Models.Inference;

/// <summary>
/// The exported ONNX graph (<see cref="Export.OnnxExporter"/>: batch norm already folded into the
/// convolutions) written as TorchScript: one libtorch call per node, the float initialisers as the
/// module's tensors. The exporter is the one walk over the blocks that knows what each computes;
/// both inference engines run its graph, so folding and every block's inference form are written
/// once. Only the operators the exporter emits are known; any other is an error naming it.
/// It also says whether libtorch 1.13's oneDNN inference pass computes this graph correctly: its own
/// hardtanh, hardswish and hardsigmoid kernels on oneDNN tensors are wrong when the channels are not
/// a multiple of the 16-channel block (measured: ReLU6 after a 3x3 convolution with 8, 12, 24, 36 or
/// 40 output channels differs by 0.1 to 2; ReLU, sigmoid, pooling, addition and multiplication are
/// right at every width), so the channel count reaching each of them is followed through the graph.
/// </summary>
public sealed class TorchScriptSource : IDisposable
{
    private readonly List<(string Name, Tensor Value)> _constants = [];

    private TorchScriptSource(string source) => Source = source;

    public string Source { get; private set; }

    /// <summary>The channel count (a multiple of this) at which libtorch 1.13's oneDNN hard activations are right.</summary>
    public const int OneDnnBlock = 16;

    /// <summary>Null when libtorch's oneDNN inference pass computes this graph right; else the first node it would get wrong and why.</summary>
    public string? OneDnnHazard { get; private set; }

    /// <summary>The tensors the source reads as <c>self.NAME</c> (owned here, on the device given).</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Constants => _constants;

    public static TorchScriptSource From(ModelProto model, Device device)
    {
        var script = new TorchScriptSource("");
        try
        {
            script.Source = script.Write(model.Graph, device);
            return script;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    private string Write(GraphProto graph, Device device)
    {
        var floats = new Dictionary<string, string>();   // initialiser → self.NAME
        var dims = new Dictionary<string, long[]>();     // float initialiser → its shape
        var ints = new Dictionary<string, long[]>();     // initialiser → literal values
        var scalars = new Dictionary<string, float>();   // one-element float initialisers (Clip's bounds)
        foreach (var t in graph.Initializer)
        {
            if (t.DataType == (int)TensorProto.Types.DataType.Int64)
                ints[t.Name] = [.. t.Int64Data];
            else if (t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 0)
                scalars[t.Name] = BitConverter.ToSingle(t.RawData.Span);
            else if (t.DataType == (int)TensorProto.Types.DataType.Float)
            {
                string name = $"c{_constants.Count}";
                _constants.Add((name, torch.from_bytes(t.RawData.Span, [.. t.Dims], ScalarType.Float32, device).DetachFromDisposeScope()));
                floats[t.Name] = "self." + name;
                dims[t.Name] = [.. t.Dims];
            }
            else throw new NotSupportedException($"TorchScript from ONNX: initialiser {t.Name} has data type {t.DataType}, expected float or int64");
        }

        var values_ = new Dictionary<string, string>();
        string V(string onnx) => floats.TryGetValue(onnx, out var c) ? c
            : values_.TryGetValue(onnx, out var v) ? v : throw new InvalidDataException($"TorchScript from ONNX: value {onnx} is used before it is computed");
        long[] I(string onnx) => ints.TryGetValue(onnx, out var v) ? v : throw new InvalidDataException($"TorchScript from ONNX: {onnx} is not an int64 constant");
        float S(string onnx) => scalars.TryGetValue(onnx, out var v) ? v : throw new InvalidDataException($"TorchScript from ONNX: {onnx} is not a scalar constant");

        var input = graph.Input.Single().Name;
        values_[input] = "x";
        var channels = new Dictionary<string, long?> { [input] = graph.Input.Single().Type.TensorType.Shape.Dim[1].DimValue };
        long? C(string onnx) => channels.GetValueOrDefault(onnx);
        var body = new StringBuilder();
        foreach (var node in graph.Node)
        {
            string output = $"v{values_.Count}";
            var a = node.Input.ToList();
            string expression = node.OpType switch
            {
                "Conv" => $"torch.conv2d({V(a[0])}, {V(a[1])}, {(a.Count > 2 ? V(a[2]) : "None")}, {List(Ints(node, "strides"))}, "
                    + $"{List(SymmetricPads(node))}, {List(Ints(node, "dilations"))}, {Int(node, "group", 1)})",
                "Relu" => $"torch.relu({V(a[0])})",
                "Clip" => $"torch.hardtanh({V(a[0])}, {Float(S(a[1]))}, {Float(S(a[2]))})",
                "Sigmoid" => $"torch.sigmoid({V(a[0])})",
                "Tanh" => $"torch.tanh({V(a[0])})",
                "HardSwish" => $"torch.hardswish({V(a[0])})",
                "HardSigmoid" => HardSigmoid(node, V(a[0])),
                "Mul" => $"torch.mul({V(a[0])}, {V(a[1])})",
                "Add" => $"torch.add({V(a[0])}, {V(a[1])})",
                "Concat" => $"torch.cat([{string.Join(", ", a.Select(V))}], {Int(node, "axis", 1)})",
                "GlobalAveragePool" => $"torch.adaptive_avg_pool2d({V(a[0])}, [1, 1])",
                "Flatten" => $"torch.flatten({V(a[0])}, {Int(node, "axis", 1)})",
                "Gemm" when Int(node, "transB", 0) == 1 && Int(node, "transA", 0) == 0
                    => $"torch.linear({V(a[0])}, {V(a[1])}, {(a.Count > 2 ? V(a[2]) : "None")})",
                "MaxPool" => $"torch.max_pool2d({V(a[0])}, {List(Ints(node, "kernel_shape"))}, {List(Ints(node, "strides"))}, {List(SymmetricPads(node))}, [1, 1], False)",
                "AveragePool" => $"torch.avg_pool2d({V(a[0])}, {List(Ints(node, "kernel_shape"))}, {List(Ints(node, "strides"))}, {List(SymmetricPads(node))}, "
                    + $"False, {(Int(node, "count_include_pad", 0) == 1 ? "True" : "False")}, None)",
                "Slice" => Slice(V(a[0]), I(a[1]), I(a[2]), I(a[3])),
                "Pad" => $"torch.constant_pad_nd({V(a[0])}, {List(TorchPads(I(a[1])))}, 0.0)",
                "Reshape" => Reshape(V(a[0]), I(a[1])),
                "Transpose" => $"torch.permute({V(a[0])}, {List(Ints(node, "perm"))})",
                _ => throw new NotSupportedException($"TorchScript from ONNX: node {node.Name} is a {node.OpType}, which the inference engine does not know"),
            };
            body.Append("    ").Append(output).Append(" = ").Append(expression).Append('\n');
            values_[node.Output.Single()] = output;
            channels[node.Output.Single()] = OutputChannels(node, a, C, dims, I);
            if (node.OpType is "Clip" or "HardSwish" or "HardSigmoid" && C(a[0]) is var inChannels && (inChannels is null || inChannels % OneDnnBlock != 0))
                OneDnnHazard ??= $"{node.OpType} on {inChannels?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of"} channels ({node.Name})";
        }
        var result = V(graph.Output.Single().Name);
        return $"def forward(self, x: Tensor) -> Tensor:\n{body}    return {result}\n";
    }

    /// <summary>The channels (dimension 1) of a node's output where they follow from its inputs; null where they do not.</summary>
    private static long? OutputChannels(NodeProto node, List<string> a, Func<string, long?> c, Dictionary<string, long[]> dims, Func<string, long[]> ints) =>
        node.OpType switch
        {
            "Conv" => dims[a[1]][0],
            "Relu" or "Clip" or "Sigmoid" or "Tanh" or "HardSwish" or "HardSigmoid" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "Pad" => c(a[0]),
            "Add" or "Mul" => c(a[0]) ?? c(a[1]),
            "Concat" when Int(node, "axis", 1) == 1 => a.All(i => c(i) is not null) ? a.Sum(i => c(i)!.Value) : null,
            "Slice" => ints(a[3]).ToList().IndexOf(1) is var k and >= 0
                ? c(a[0]) is { } whole ? Math.Min(ints(a[2])[k], whole) - ints(a[1])[k] : null
                : c(a[0]),
            "Reshape" when ints(a[1]) is { Length: 4 } shape && shape[1] > 0 => shape[1],
            _ => null,
        };

    private static long[] Ints(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : throw new InvalidDataException($"TorchScript from ONNX: {node.Name} has no {name}");

    private static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    /// <summary>ONNX's [top, left, bottom, right] as libtorch's symmetric [h, w]; the exporter writes only symmetric padding.</summary>
    private static long[] SymmetricPads(NodeProto node)
    {
        var p = node.Attribute.FirstOrDefault(a => a.Name == "pads") is { } a ? a.Ints.ToArray() : [0, 0, 0, 0];
        if (p.Length != 4 || p[0] != p[2] || p[1] != p[3]) throw new NotSupportedException($"TorchScript from ONNX: {node.Name} has asymmetric pads [{string.Join(", ", p)}]");
        return [p[0], p[1]];
    }

    /// <summary>ONNX's pads (every axis's begin, then every axis's end) as constant_pad_nd's (last axis first, begin and end).</summary>
    private static long[] TorchPads(long[] onnx)
    {
        int axes = onnx.Length / 2;
        return Enumerable.Range(0, axes).Reverse().SelectMany(d => new[] { onnx[d], onnx[axes + d] }).ToArray();
    }

    // PyTorch's hardsigmoid is relu6(x + 3) / 6, ONNX's HardSigmoid with alpha 1/6 and beta 1/2.
    private static string HardSigmoid(NodeProto node, string x)
    {
        float alpha = node.Attribute.First(a => a.Name == "alpha").F, beta = node.Attribute.First(a => a.Name == "beta").F;
        if (Math.Abs(alpha - 1f / 6) > 1e-7 || Math.Abs(beta - 0.5f) > 1e-7)
            throw new NotSupportedException($"TorchScript from ONNX: {node.Name} is a HardSigmoid with alpha {alpha}, beta {beta}; only PyTorch's (1/6, 1/2) is known");
        return $"torch.hardsigmoid({x})";
    }

    private static string Slice(string x, long[] starts, long[] ends, long[] axes)
    {
        var y = x;
        for (int i = 0; i < axes.Length; i++) y = $"torch.slice({y}, {axes[i]}, {starts[i]}, {ends[i]}, 1)";
        return y;
    }

    // ONNX's 0 keeps the input's size there (the exporter's batch).
    private static string Reshape(string x, long[] shape) =>
        $"torch.reshape({x}, [{string.Join(", ", shape.Select((d, i) => d == 0 ? $"{x}.size({i})" : d.ToString(CultureInfo.InvariantCulture)))}])";

    private static string List(IEnumerable<long> values) => $"[{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]";

    // A TorchScript float literal: always with a point or an exponent.
    private static string Float(float v)
    {
        var s = ((double)v).ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    public void Dispose()
    {
        foreach (var (_, t) in _constants) t.Dispose();
        _constants.Clear();
    }
}
