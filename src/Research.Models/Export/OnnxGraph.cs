using Google.Protobuf;
using Onnx;

namespace Research.Models.Export;

/// <summary>
/// Builds one ONNX graph: nodes in execution order with generated value names, float32
/// initialisers, and the few attributes the exported ops use. Batch norm is folded into the
/// convolution before it (in double precision), so an exported network is convolutions,
/// activations, pooling and elementwise ops.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new();
    private int _values;

    public GraphProto Proto => _graph;

    private string Fresh(string hint) => $"{hint}_{_values++}";

    public void Input(string name, long?[] dims, string? dynamicBatch) => _graph.Input.Add(Value(name, dims, dynamicBatch));

    public void Output(string name, long?[] dims, string? dynamicBatch) => _graph.Output.Add(Value(name, dims, dynamicBatch));

    private static ValueInfoProto Value(string name, long?[] dims, string? dynamicBatch)
    {
        var shape = new TensorShapeProto();
        for (int i = 0; i < dims.Length; i++)
            shape.Dim.Add(i == 0 && dynamicBatch is not null
                ? new TensorShapeProto.Types.Dimension { DimParam = dynamicBatch }
                : new TensorShapeProto.Types.Dimension { DimValue = dims[i]!.Value });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public string Constant(string hint, float[] values, long[] dims)
    {
        var name = Fresh(hint);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(t);
        return name;
    }

    public string Int64s(string hint, params long[] values)
    {
        var name = Fresh(hint);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return name;
    }

    public string Node(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var output = Fresh(op.ToLowerInvariant());
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Renames the last node's output (the graph's output name).</summary>
    public void NameLast(string name) => _graph.Node[^1].Output[0] = name;

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A convolution with the module's geometry and, when given, BN folded in: w·γ/√(σ²+ε), (b − μ)·γ/√(σ²+ε) + β.</summary>
    public string Conv(string x, Torch.Modules.Conv2d conv, BatchNorm2d? bn, string hint)
    {
        var (outC, perOut) = (conv.weight.size(0), conv.weight.numel() / conv.weight.size(0));
        var w = Doubles(conv.weight);
        var b = conv.bias is null ? new double[outC] : Doubles(conv.bias);
        if (bn is not null)
        {
            var mean = Doubles(bn.running_mean ?? throw new InvalidOperationException($"{hint}: batch norm without running statistics cannot be folded"));
            var variance = Doubles(bn.running_var!);
            var gamma = bn.weight is null ? Enumerable.Repeat(1.0, (int)outC).ToArray() : Doubles(bn.weight);
            var beta = bn.bias is null ? new double[outC] : Doubles(bn.bias);
            for (int o = 0; o < outC; o++)
            {
                double scale = gamma[o] / Math.Sqrt(variance[o] + bn.Eps);
                for (long i = 0; i < perOut; i++) w[o * perOut + i] *= scale;
                b[o] = (b[o] - mean[o]) * scale + beta[o];
            }
        }
        var weight = Constant(hint + "_w", w.Select(v => (float)v).ToArray(), conv.weight.shape);
        var bias = Constant(hint + "_b", b.Select(v => (float)v).ToArray(), [outC]);
        var (kh, kw) = conv.KernelSize;
        var (sh, sw) = conv.Stride;
        var (ph, pw) = conv.Padding;
        return Node("Conv", [x, weight, bias], Ints("kernel_shape", kh, kw), Ints("strides", sh, sw), Ints("pads", ph, pw, ph, pw),
            Ints("dilations", conv.Dilation.h, conv.Dilation.w), Int("group", conv.Groups));
    }

    /// <summary>y = x·Wᵀ + b (Gemm with transB).</summary>
    public string Linear(string x, Torch.Modules.Linear linear, string hint)
    {
        var weight = Constant(hint + "_w", Floats(linear.weight), linear.weight.shape);
        var inputs = linear.bias is null ? new[] { x, weight } : [x, weight, Constant(hint + "_b", Floats(linear.bias), linear.bias.shape)];
        return Node("Gemm", inputs, Int("transB", 1));
    }

    public static float[] Floats(Tensor t)
    {
        using var c = t.detach().cpu().to(ScalarType.Float32).contiguous();
        return c.ToArray<float>();
    }

    private static double[] Doubles(Tensor t)
    {
        using var c = t.detach().cpu().to(ScalarType.Float64).contiguous();
        return c.ToArray<double>();
    }
}
