using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Research.Models.Inference;

/// <summary>
/// Inference in ONNX Runtime (its CPU provider, all graph optimizations): the exported graph is
/// handed over in memory, and the session gets libtorch's thread count (`--threads`) for its
/// operators, one thread between them. Inputs are copied to the host and the logits back.
/// </summary>
public sealed class OnnxRuntimeEngine : InferenceEngine
{
    public OnnxRuntimeEngine(Network network, Device device) : base(network, device, nameof(OnnxRuntimeEngine))
    {
        if (device.Type != DeviceType.CPU)
            throw new ArgumentException($"engine onnxruntime runs on the CPU (ONNX Runtime's CPU provider), not {device}: use --device cpu, or --engine libtorch");
    }

    public override string Engine => InferenceConfig.OnnxRuntime;

    protected override IDisposable Build(ModelProto graph)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = torch.get_num_threads(),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(graph.ToByteArray(), options);
    }

    protected override Tensor Run(IDisposable graph, Tensor x)
    {
        var input = new float[x.numel()];
        x.CopyTo<float>(input);
        using var value = OrtValue.CreateTensorValueFromMemory(input, x.shape);
        using var run = new RunOptions();
        using var outputs = ((InferenceSession)graph).Run(run, [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        var logits = outputs[0];
        return torch.from_span<float>(logits.GetTensorDataAsSpan<float>(), logits.GetTensorTypeAndShape().Shape);
    }
}
