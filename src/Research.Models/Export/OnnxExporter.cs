using Google.Protobuf;
using Onnx;
using Research.Core.IO;

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
/// An ONNX graph from a built network in eval mode: the stem, every block and cell op by the
/// kind or form that built it (<see cref="OnnxEmitter"/>), and the head. Batch norm is folded
/// into the convolution before it; dropout, drop-connect and an auxiliary head are inactive at
/// inference and vanish. The protobuf side is OnnxSharp's generated ONNX schema on
/// Google.Protobuf (a maintained schema rather than a hand-written wire format). A module no
/// registered kind or form exports is an error.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "input";
    public const string OutputName = "logits";

    public static ModelProto Export(Network net, OnnxExportOptions options) =>
        Export(net, options, BlockKindRegistry.Default, CellOpFormRegistry.Default);

    public static ModelProto Export(Network net, OnnxExportOptions options, BlockKindRegistry kinds, CellOpFormRegistry forms)
    {
        options.Validate();
        bool wasTraining = net.training;
        net.eval();
        try
        {
            var shapes = BlockShapes(net, options.Resolution, kinds);
            var g = new OnnxGraph();
            string? batch = options.DynamicBatch ? "batch" : null;
            g.Input(InputName, [options.Batch, net.Spec.InChannels, options.Resolution, options.Resolution], batch);
            var e = new OnnxEmitter(g, shapes, kinds, forms);
            var features = e.Module(net.Stem, InputName, "stem");
            features = e.Module(net.Stages, features, "stages");
            if (net.HeadConv is not null) features = e.Module(net.HeadConv, features, "head_conv");
            features = e.GlobalAveragePool(features);
            if (net.Hidden is not null)
            {
                if (!net.Spec.Head.HiddenAsConv) features = e.Flatten(features);
                features = e.Module(net.Hidden, features, "hidden");
                if (net.HiddenAct is not null) features = e.Module(net.HiddenAct, features, "hidden_act");
            }
            features = e.Flatten(features);
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

    /// <summary>Every block module's output shape at this resolution (batch 1), from one forward pass: kinds that reshape (channel shuffles) need it.</summary>
    private static Dictionary<Module, long[]> BlockShapes(Network net, int resolution, BlockKindRegistry kinds)
    {
        var shapes = new Dictionary<Module, long[]>(ReferenceEqualityComparer.Instance);
        var hooks = new List<IDisposable>();
        foreach (var (_, m) in net.named_modules())
            if (m is Module<Tensor, Tensor> block && kinds.ForModule(m.GetType()) is not null)
                hooks.Add(block.register_forward_hook((_, _, output) => shapes[block] = output.shape));
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
}
