using Onnx;
using Research.Models.Networks;
using Research.Torch;
using Research.Torch.Jit;

namespace Research.Models.Inference;

/// <summary>
/// Inference on libtorch: the exported graph as TorchScript (<see cref="TorchScriptSource"/>),
/// frozen, and where libtorch computes it right optimized as torch.jit.optimize_for_inference does:
/// on the CPU, oneDNN convolutions on prepacked weights with the activation or residual addition
/// fused and tensors kept in oneDNN's layout between them. A graph with a hard activation on a
/// channel count libtorch 1.13's oneDNN pass gets wrong runs frozen only (batch norm still folded,
/// libtorch's ordinary kernels).
/// </summary>
public sealed class LibTorchEngine(Network network, Device device) : InferenceEngine(network, device, nameof(LibTorchEngine))
{
    public override string Engine => InferenceConfig.LibTorch;

    /// <summary>How the last graph built runs: "onednn", or "frozen (why not oneDNN)".</summary>
    public string Plan { get; private set; } = "none built";

    protected override IDisposable Build(ModelProto graph)
    {
        using var script = TorchScriptSource.From(graph, Device);
        bool oneDnn = script.OneDnnHazard is null;
        Plan = oneDnn ? "onednn" : $"frozen ({script.OneDnnHazard}: not a multiple of {TorchScriptSource.OneDnnBlock})";
        return InferenceModule.Compile(script.Source, script.Constants, optimize: oneDnn);
    }

    protected override Tensor Run(IDisposable graph, Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var input = x.to(Device, ScalarType.Float32);
        return ((InferenceModule)graph).forward(input);
    }
}
