using Onnx;
using Research.Models.Networks;
using Research.Torch;
using Research.Torch.Jit;

namespace Research.Models.Inference;

/// <summary>
/// Inference on libtorch: the exported graph as TorchScript (<see cref="TorchScriptSource"/>), frozen
/// and optimized as torch.jit.optimize_for_inference does: on the CPU, oneDNN convolutions on
/// prepacked weights with the activation or residual addition fused and tensors kept in oneDNN's
/// layout between them. Same kernels as PyTorch's frozen inference, on the same libtorch.
/// </summary>
public sealed class LibTorchEngine(Network network, Device device) : InferenceEngine(network, device, nameof(LibTorchEngine))
{
    public override string Engine => InferenceConfig.LibTorch;

    protected override IDisposable Build(ModelProto graph)
    {
        using var script = TorchScriptSource.From(graph, Device);
        return InferenceModule.Compile(script.Source, script.Constants, optimize: true);
    }

    protected override Tensor Run(IDisposable graph, Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var input = x.to(Device, ScalarType.Float32);
        return ((InferenceModule)graph).forward(input);
    }
}
