using Google.Protobuf;
using Onnx;
using Research.Core.IO;
using Research.Models.Blocks;
using Research.Models.Cells;
using Research.Models.Networks;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Export;

/// <summary>How to export: the input resolution, a fixed or a dynamic batch, the opset.</summary>
public sealed record OnnxExportOptions
{
    public int Resolution { get; init; } = 224;
    /// <summary>The batch dimension is named ("batch") instead of fixed to <see cref="Batch"/>.</summary>
    public bool DynamicBatch { get; init; }
    public int Batch { get; init; } = 1;
    /// <summary>14 is the first with HardSwish; ONNX Runtime 1.31 reads up to 23.</summary>
    public int Opset { get; init; } = 17;

    public const int MinOpset = 14;
    public const int MaxOpset = 21;

    public OnnxExportOptions Validate()
    {
        if (Opset is < MinOpset or > MaxOpset) throw new ArgumentException($"opset {Opset}: must be in [{MinOpset}, {MaxOpset}]");
        if (Resolution < 8) throw new ArgumentException($"resolution {Resolution}: must be >= 8");
        if (Batch < 1) throw new ArgumentException($"batch {Batch}: must be >= 1");
        return this;
    }
}

/// <summary>
/// An ONNX graph from a built network in eval mode: every block family (MBConv with SE, sandglass,
/// Ghost, ShuffleV2, depthwise-separable), the zoo's heads and genotype cell networks, each emitted
/// from its module with the same arithmetic as its forward pass; batch norm is folded into the
/// convolution before it; dropout and drop-connect are identities at inference and vanish. The
/// protobuf side is OnnxSharp's generated ONNX schema on Google.Protobuf (a maintained schema
/// rather than a hand-written wire format). A module type the exporter does not know is an error.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "input";
    public const string OutputName = "logits";

    public static ModelProto Export(Network net, OnnxExportOptions options)
    {
        options.Validate();
        bool wasTraining = net.training;
        net.eval();
        try
        {
            var shapes = ShuffleShapes(net, options.Resolution);
            var g = new OnnxGraph();
            string? batch = options.DynamicBatch ? "batch" : null;
            g.Input(InputName, [options.Batch, net.Spec.InChannels, options.Resolution, options.Resolution], batch);
            var emitter = new Emitter(g, shapes);
            var features = emitter.Module(net.Stem, InputName, "stem");
            features = emitter.Module(net.Stages, features, "stages");
            if (net.HeadConv is not null) features = emitter.Module(net.HeadConv, features, "head_conv");
            features = g.Node("GlobalAveragePool", [features]);
            if (net.Hidden is not null)
            {
                if (!net.Spec.Head.HiddenAsConv) features = g.Node("Flatten", [features], OnnxGraph.Int("axis", 1));
                features = emitter.Module(net.Hidden, features, "hidden");
                if (net.HiddenAct is not null) features = emitter.Module(net.HiddenAct, features, "hidden_act");
            }
            features = g.Node("Flatten", [features], OnnxGraph.Int("axis", 1));
            g.Linear(features, net.Classifier, "classifier");
            g.NameLast(OutputName);
            g.Output(OutputName, [options.Batch, net.Spec.Classes], batch);
            g.Proto.Name = net.Spec.Name;
            var model = new ModelProto
            {
                IrVersion = 8, ProducerName = "research", ProducerVersion = "1", Graph = g.Proto, DocString = $"{net.Spec.Name}, exported with batch norm folded",
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
            return model;
        }
        finally
        {
            net.train(wasTraining);
        }
    }

    public static void Save(Network net, string path, OnnxExportOptions options) => DurableFile.WriteAllBytes(path, Export(net, options).ToByteArray());

    /// <summary>Each ShuffleV2 unit's output shape at this resolution (the channel shuffle reshapes to it), from one forward pass.</summary>
    private static Dictionary<Module, long[]> ShuffleShapes(Network net, int resolution)
    {
        var shapes = new Dictionary<Module, long[]>(ReferenceEqualityComparer.Instance);
        var hooks = new List<IDisposable>();
        foreach (var (_, m) in net.named_modules())
            if (m is ShuffleV2Unit unit)
                hooks.Add(unit.register_forward_hook((_, _, output) => shapes[unit] = output.shape));
        if (hooks.Count == 0) return shapes;
        try
        {
            var device = net.parameters().First().device;
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            net.call(torch.zeros([1, net.Spec.InChannels, resolution, resolution], device: device));
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
        return shapes;
    }

    /// <summary>Emits modules as the nodes that compute what their forward computes.</summary>
    private sealed class Emitter(OnnxGraph g, Dictionary<Module, long[]> shuffleShapes)
    {
        public string Module(Module m, string x, string path) => m switch
        {
            ConvBnAct c => Activation(c.Act, g.Conv(x, c.Conv, c.Bn, path), path),
            Sequential s => s.Select((child, i) => (child, i)).Aggregate(x, (y, e) => Module(e.child, y, $"{path}.{e.i}")),
            InvertedResidual ir => InvertedResidual(ir, x, path),
            DepthwiseSeparable ds => DepthwiseSeparable(ds, x, path),
            SqueezeExcitation se => SqueezeExcite(se, x, path),
            GhostModule gm => Ghost(gm, x, path),
            GhostBottleneck gb => GhostBottleneck(gb, x, path),
            Sandglass sg => Sandglass(sg, x, path),
            ShuffleV2Unit su => Shuffle(su, x, path),
            CellStack cs => Cells(cs, x, path),
            CellPool pool => Pool(pool, x),
            FactorizedReduce fr => FactorizedReduce(fr, x, path),
            ReluConvBn rcb => g.Conv(g.Node("Relu", [x]), rcb.Conv, rcb.Bn, path),
            Identity => x,
            Dropout => x,
            Torch.Modules.MaxPool2d mp => g.Node("MaxPool", [x], OnnxGraph.Ints("kernel_shape", mp.KernelSize, mp.KernelSize),
                OnnxGraph.Ints("strides", mp.Stride, mp.Stride), OnnxGraph.Ints("pads", mp.Padding, mp.Padding, mp.Padding, mp.Padding)),
            Torch.Modules.Conv2d conv => g.Conv(x, conv, null, path),
            Torch.Modules.Linear linear => g.Linear(x, linear, path),
            _ when IsActivation(m) => Activation(m, x, path),
            _ => throw new NotSupportedException($"ONNX export: {path} is a {m.GetType().Name}, which the exporter does not know"),
        };

        private static bool IsActivation(Module m) => m is ReLU or ReLU6 or SiLU or Hardswish or Hardsigmoid or Sigmoid or Tanh;

        private string Activation(Module? act, string x, string path) => act switch
        {
            null => x,
            ReLU => g.Node("Relu", [x]),
            ReLU6 => g.Node("Clip", [x, g.Constant("zero", [0f], []), g.Constant("six", [6f], [])]),
            SiLU => g.Node("Mul", [x, g.Node("Sigmoid", [x])]),
            Hardswish => g.Node("HardSwish", [x]),
            Hardsigmoid => HardSigmoid(x),
            Sigmoid => g.Node("Sigmoid", [x]),
            Tanh => g.Node("Tanh", [x]),
            _ => throw new NotSupportedException($"ONNX export: {path} uses a {act.GetType().Name} activation, which the exporter does not know"),
        };

        // PyTorch's hardsigmoid is relu6(x + 3) / 6: ONNX's HardSigmoid with alpha 1/6, beta 1/2.
        private string HardSigmoid(string x) => g.Node("HardSigmoid", [x], OnnxGraph.Float("alpha", 1f / 6), OnnxGraph.Float("beta", 0.5f));

        private string Add(string a, string b) => g.Node("Add", [a, b]);

        private string InvertedResidual(InvertedResidual ir, string x, string path)
        {
            var y = ir.Expand is null ? x : Module(ir.Expand, x, path + ".expand");
            y = Module(ir.Depthwise, y, path + ".depthwise");
            if (ir.SE is not null) y = SqueezeExcite(ir.SE, y, path + ".se");
            y = Module(ir.Project, y, path + ".project");
            return ir.HasResidual ? Add(y, x) : y;
        }

        private string DepthwiseSeparable(DepthwiseSeparable ds, string x, string path)
        {
            var y = Module(ds.Depthwise, x, path + ".depthwise");
            if (ds.SE is not null) y = SqueezeExcite(ds.SE, y, path + ".se");
            return Module(ds.Pointwise, y, path + ".pointwise");
        }

        private string SqueezeExcite(SqueezeExcitation se, string x, string path)
        {
            var s = g.Node("GlobalAveragePool", [x]);
            s = g.Conv(s, se.Fc1, null, path + ".fc1");
            s = Activation(se.Act, s, path + ".act");
            s = g.Conv(s, se.Fc2, null, path + ".fc2");
            s = se.HardGate ? HardSigmoid(s) : g.Node("Sigmoid", [s]);
            return g.Node("Mul", [x, s]);
        }

        private string Ghost(GhostModule gm, string x, string path)
        {
            var a = Module(gm.Primary, x, path + ".primary");
            var y = g.Node("Concat", [a, Module(gm.Cheap, a, path + ".cheap")], OnnxGraph.Int("axis", 1));
            return gm.Primary.Conv.OutChannels * 2 == gm.OutChannels ? y : SliceChannels(y, 0, gm.OutChannels);
        }

        private string GhostBottleneck(GhostBottleneck gb, string x, string path)
        {
            var y = Ghost(gb.Ghost1, x, path + ".ghost1");
            if (gb.Depthwise is not null) y = Module(gb.Depthwise, y, path + ".depthwise");
            if (gb.SE is not null) y = SqueezeExcite(gb.SE, y, path + ".se");
            y = Ghost(gb.Ghost2, y, path + ".ghost2");
            if (gb.IdentityShortcut) return Add(y, x);
            return gb.Shortcut is null ? y : Add(y, Module(gb.Shortcut, x, path + ".shortcut"));
        }

        private string Sandglass(Sandglass sg, string x, string path)
        {
            var y = sg.DepthwiseIn is null ? x : Module(sg.DepthwiseIn, x, path + ".depthwise_in");
            y = Module(sg.Expand, Module(sg.Reduce, y, path + ".reduce"), path + ".expand");
            if (sg.DepthwiseOut is not null) y = Module(sg.DepthwiseOut, y, path + ".depthwise_out");
            return sg.HasResidual ? Add(y, x) : y;
        }

        private string Shuffle(ShuffleV2Unit unit, string x, string path)
        {
            var shape = shuffleShapes[unit];
            long channels = shape[1], half = channels / 2;
            string y;
            if (unit.Left is null)
            {
                var first = SliceChannels(x, 0, half);
                var second = SliceChannels(x, half, channels);
                y = g.Node("Concat", [first, Module(unit.Right, second, path + ".right")], OnnxGraph.Int("axis", 1));
            }
            else y = g.Node("Concat", [Module(unit.Left, x, path + ".left"), Module(unit.Right, x, path + ".right")], OnnxGraph.Int("axis", 1));
            // ChannelShuffle(y, 2): (N, 2, C/2, H, W) → transpose groups and channels → (N, C, H, W); 0 keeps the batch dimension.
            var grouped = g.Node("Reshape", [y, g.Int64s("shape", 0, 2, half, shape[2], shape[3])]);
            var swapped = g.Node("Transpose", [grouped], OnnxGraph.Ints("perm", 0, 2, 1, 3, 4));
            return g.Node("Reshape", [swapped, g.Int64s("shape", 0, channels, shape[2], shape[3])]);
        }

        private string SliceChannels(string x, long start, long end) =>
            g.Node("Slice", [x, g.Int64s("starts", start), g.Int64s("ends", end), g.Int64s("axes", 1)]);

        private string Cells(CellStack stack, string x, string path)
        {
            string s0 = x, s1 = x;
            for (int i = 0; i < stack.Cells.Count; i++) (s0, s1) = (s1, Cell(stack.Cells[i], s0, s1, $"{path}.cells.{i}"));
            return s1;
        }

        private string Cell(Cell cell, string s0, string s1, string path)
        {
            var states = new List<string> { Module(cell.Preprocess0, s0, path + ".preprocess0"), Module(cell.Preprocess1, s1, path + ".preprocess1") };
            var genotype = cell.Genotype;
            for (int node = 0; node < genotype.Nodes; node++)
            {
                string? sum = null;
                for (int k = 0; k < CellGenotype.EdgesPerNode; k++)
                {
                    int i = node * CellGenotype.EdgesPerNode + k;
                    var h = Module(cell.Ops[i], states[genotype.Edges[i].Input], $"{path}.ops.{i}");
                    sum = sum is null ? h : Add(sum, h);
                }
                states.Add(sum!);
            }
            return g.Node("Concat", genotype.Concat.Select(i => states[i]).ToArray(), OnnxGraph.Int("axis", 1));
        }

        private string Pool(CellPool pool, string x)
        {
            var attributes = new List<AttributeProto>
            {
                OnnxGraph.Ints("kernel_shape", pool.Kernel, pool.Kernel), OnnxGraph.Ints("strides", pool.Stride, pool.Stride),
                OnnxGraph.Ints("pads", pool.Kernel / 2, pool.Kernel / 2, pool.Kernel / 2, pool.Kernel / 2),
            };
            if (!pool.Max) attributes.Add(OnnxGraph.Int("count_include_pad", 0));
            return g.Node(pool.Max ? "MaxPool" : "AveragePool", [x], attributes.ToArray());
        }

        private string FactorizedReduce(FactorizedReduce fr, string x, string path)
        {
            var r = g.Node("Relu", [x]);
            // The shifted input: r[:, :, 1:, 1:] padded back by one row and column at the end.
            var shifted = g.Node("Slice", [r, g.Int64s("starts", 1, 1), g.Int64s("ends", long.MaxValue, long.MaxValue), g.Int64s("axes", 2, 3)]);
            shifted = g.Node("Pad", [shifted, g.Int64s("pads", 0, 0, 0, 0, 0, 0, 1, 1)]);
            // The BN after the concatenation splits into one per half, each folded into its conv.
            long half = fr.Conv1.OutChannels;
            var (first, second) = SplitBatchNorm(fr.Bn, half);
            try
            {
                var a = g.Conv(r, fr.Conv1, first, path + ".conv1");
                var b = g.Conv(shifted, fr.Conv2, second, path + ".conv2");
                return g.Node("Concat", [a, b], OnnxGraph.Int("axis", 1));
            }
            finally
            {
                first.Dispose();
                second.Dispose();
            }
        }

        /// <summary>Two batch norms over the first and the second <paramref name="half"/> channels, with the statistics and affine values of those channels.</summary>
        private static (BatchNorm2d First, BatchNorm2d Second) SplitBatchNorm(BatchNorm2d bn, long half)
        {
            BatchNorm2d Part(long start)
            {
                var part = new BatchNorm2d(half, bn.Eps, bn.Momentum, affine: bn.weight is not null);
                using var noGrad = torch.no_grad();
                using (var m = bn.running_mean!.narrow(0, start, half)) part.running_mean!.copy_(m);
                using (var v = bn.running_var!.narrow(0, start, half)) part.running_var!.copy_(v);
                if (bn.weight is not null)
                {
                    using (var w = bn.weight.narrow(0, start, half)) part.weight!.copy_(w);
                    using (var b = bn.bias!.narrow(0, start, half)) part.bias!.copy_(b);
                }
                return part;
            }
            return (Part(0), Part(half));
        }
    }
}
