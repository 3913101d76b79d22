using Onnx;

namespace Research.Models.Inference;

/// <summary>
/// A trained network's inference form, as a module (so evaluation and latency take it where they
/// take the network): the graph the ONNX exporter writes (batch norm folded into the convolutions,
/// dropout and drop-connect gone), run by libtorch or by ONNX Runtime. The graph is built for each
/// input size on first use (a ShuffleNet unit's reshape is size-specific); the batch is free. The
/// weights are copied when a graph is built: later changes to the network are not seen.
/// </summary>
public abstract class InferenceEngine : Module<Tensor, Tensor>
{
    private readonly Dictionary<long, IDisposable> _graphs = [];

    protected InferenceEngine(Network network, Device device, string name) : base(name)
    {
        Network = network;
        Device = device;
    }

    /// <summary>The network the graphs are exported from (not owned).</summary>
    public Network Network { get; }

    public Device Device { get; }

    /// <summary>The engine's setting value (<see cref="InferenceConfig.Engines"/>).</summary>
    public abstract string Engine { get; }

    /// <summary>The engine and how it runs the last graph it built, for a command's output.</summary>
    public virtual string Description => Engine;

    public static InferenceEngine Create(Network network, InferenceConfig config, Device device) => config.Validate().Engine switch
    {
        InferenceConfig.LibTorch => new LibTorchEngine(network, device),
        InferenceConfig.OnnxRuntime => new OnnxRuntimeEngine(network, device),
        var other => throw new ArgumentException($"engine {other}: expected one of {string.Join(", ", InferenceConfig.Engines)}"),
    };

    /// <summary>Logits (float32, on <see cref="Device"/>) for a float32 batch [N, C, H, W] with H = W.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.size(1) != Network.Spec.InChannels || x.size(2) != x.size(3) || x.size(2) < 8)
            throw new ArgumentException($"{Engine} engine: input of shape [{string.Join(", ", x.shape)}]; expected [N, {Network.Spec.InChannels}, H, H] with H >= 8 (square images)");
        long size = x.size(2);
        if (!_graphs.TryGetValue(size, out var graph)) _graphs[size] = graph = Build(Export((int)size));
        return Run(graph, x);
    }

    private ModelProto Export(int resolution) => OnnxExporter.Export(Network, new OnnxExportOptions { Resolution = resolution, DynamicBatch = true });

    /// <summary>What runs the graph exported at one input size.</summary>
    protected abstract IDisposable Build(ModelProto graph);

    protected abstract Tensor Run(IDisposable graph, Tensor x);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var g in _graphs.Values) g.Dispose();
            _graphs.Clear();
        }
        base.Dispose(disposing);
    }
}
