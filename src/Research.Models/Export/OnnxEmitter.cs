using Onnx;

namespace Research.Models.Export;

/// <summary>
/// Emits modules as the ONNX nodes that compute what their forward computes in eval mode. It
/// knows the shared units (Sequential, ConvBnAct, convolutions, linears, activations, pools,
/// identities and dropout); any other module is emitted by the block kind or cell-op form that
/// builds it (their Export methods), which call back
/// into these helpers. Batch norm is folded into the convolution before it.
/// </summary>
public sealed class OnnxEmitter
{
    private readonly OnnxGraph _g;
    private readonly IReadOnlyDictionary<Module, long[]> _shapes;
    private readonly BlockKindRegistry _kinds;
    private readonly CellOpFormRegistry _forms;

    internal OnnxEmitter(OnnxGraph g, IReadOnlyDictionary<Module, long[]> shapes, BlockKindRegistry kinds, CellOpFormRegistry forms)
    {
        (_g, _shapes, _kinds, _forms) = (g, shapes, kinds, forms);
    }

    /// <summary>The output shape of a block module at the export's resolution (batch 1), from one forward pass.</summary>
    public long[] OutputShape(Module m, string path) =>
        _shapes.TryGetValue(m, out var s) ? s : throw new InvalidOperationException($"ONNX export: no recorded output shape for {path}");

    public string Module(Module m, string x, string path) => m switch
    {
        ConvBnAct c => Activation(c.Act, Conv(x, c.Conv, c.Bn, path), path),
        Sequential s => s.Select((child, i) => (child, i)).Aggregate(x, (y, e) => Module(e.child, y, $"{path}.{e.i}")),
        Identity => x,
        Dropout => x,
        Torch.Modules.MaxPool2d mp => MaxPool(x, mp.KernelSize, mp.Stride, mp.Padding),
        Torch.Modules.Conv2d conv => Conv(x, conv, null, path),
        Torch.Modules.Linear linear => _g.Linear(x, linear, path),
        _ when IsActivation(m) => Activation(m, x, path),
        _ when _kinds.ForModule(m.GetType()) is { } kind => kind.Export(this, m, x, path),
        _ when _forms.ForModule(m.GetType()) is { } form => form.Export(this, m, x, path),
        _ => throw new NotSupportedException($"ONNX export: {path} is a {m.GetType().Name}, which no registered block kind or op form exports"),
    };

    private static bool IsActivation(Module m) => m is ReLU or ReLU6 or SiLU or Hardswish or Hardsigmoid or Sigmoid or Tanh;

    /// <summary>The nodes of an activation module (null: none).</summary>
    public string Activation(Module? act, string x, string path) => act switch
    {
        null => x,
        ReLU => Relu(x),
        ReLU6 => _g.Node("Clip", [x, _g.Constant("zero", [0f], []), _g.Constant("six", [6f], [])]),
        SiLU => _g.Node("Mul", [x, _g.Node("Sigmoid", [x])]),
        Hardswish => _g.Node("HardSwish", [x]),
        Hardsigmoid => HardSigmoid(x),
        Sigmoid => _g.Node("Sigmoid", [x]),
        Tanh => _g.Node("Tanh", [x]),
        _ => throw new NotSupportedException($"ONNX export: {path} uses a {act.GetType().Name} activation, which the exporter does not know"),
    };

    public string Relu(string x) => _g.Node("Relu", [x]);

    /// <summary>PyTorch's hardsigmoid is relu6(x + 3) / 6: ONNX's HardSigmoid with alpha 1/6, beta 1/2.</summary>
    public string HardSigmoid(string x) => _g.Node("HardSigmoid", [x], OnnxGraph.Float("alpha", 1f / 6), OnnxGraph.Float("beta", 0.5f));

    public string Add(string a, string b) => _g.Node("Add", [a, b]);

    public string Mul(string a, string b) => _g.Node("Mul", [a, b]);

    public string Concat(params string[] parts) => _g.Node("Concat", parts, OnnxGraph.Int("axis", 1));

    public string GlobalAveragePool(string x) => _g.Node("GlobalAveragePool", [x]);

    public string Flatten(string x) => _g.Node("Flatten", [x], OnnxGraph.Int("axis", 1));

    /// <summary>A convolution with the module's geometry and, when given, the batch norm after it folded in.</summary>
    public string Conv(string x, Torch.Modules.Conv2d conv, BatchNorm2d? bn, string path) => _g.Conv(x, conv, bn, path);

    public string MaxPool(string x, long kernel, long stride, long padding) =>
        _g.Node("MaxPool", [x], OnnxGraph.Ints("kernel_shape", kernel, kernel), OnnxGraph.Ints("strides", stride, stride),
            OnnxGraph.Ints("pads", padding, padding, padding, padding));

    /// <summary>Average pooling; <paramref name="countIncludePad"/> as PyTorch's flag of that name.</summary>
    public string AveragePool(string x, long kernel, long stride, long padding, bool countIncludePad) =>
        _g.Node("AveragePool", [x], OnnxGraph.Ints("kernel_shape", kernel, kernel), OnnxGraph.Ints("strides", stride, stride),
            OnnxGraph.Ints("pads", padding, padding, padding, padding), OnnxGraph.Int("count_include_pad", countIncludePad ? 1 : 0));

    public string SliceChannels(string x, long start, long end) =>
        _g.Node("Slice", [x, _g.Int64s("starts", start), _g.Int64s("ends", end), _g.Int64s("axes", 1)]);

    /// <summary>Rows and columns from <paramref name="start"/> on (x[:, :, s:, s:]).</summary>
    public string SliceSpatial(string x, long start) =>
        _g.Node("Slice", [x, _g.Int64s("starts", start, start), _g.Int64s("ends", long.MaxValue, long.MaxValue), _g.Int64s("axes", 2, 3)]);

    /// <summary>Zero padding at the end of height and width.</summary>
    public string PadEnd(string x, long rows, long columns) => _g.Node("Pad", [x, _g.Int64s("pads", 0, 0, 0, 0, 0, 0, rows, columns)]);

    /// <summary>
    /// A channel permutation on an (N, C, H, W) map: viewed as (N, a, b, H, W) and the two channel
    /// axes swapped. ShuffleNetV2's shuffle is (a, b) = (groups, C/groups); ShuffleNet v1's
    /// official code views it as (C/groups, groups).
    /// </summary>
    public string SwapChannelAxes(string x, long a, long b, long height, long width)
    {
        var grouped = _g.Node("Reshape", [x, _g.Int64s("shape", 0, a, b, height, width)]);
        var swapped = _g.Node("Transpose", [grouped], OnnxGraph.Ints("perm", 0, 2, 1, 3, 4));
        return _g.Node("Reshape", [swapped, _g.Int64s("shape", 0, a * b, height, width)]);
    }

    /// <summary>Any other node, for kinds that need an operator the helpers above lack.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => _g.Node(op, inputs, attributes);
}
