using System.Globalization;
using Onnx;
using Research.Torch.Jit;

namespace Research.Models.Inference;

/// <summary>
/// Inference on libtorch: the exported graph as TorchScript (<see cref="TorchScriptSource"/>),
/// frozen, and where libtorch computes it right optimized as torch.jit.optimize_for_inference does:
/// on the CPU, oneDNN convolutions on prepacked weights with the activation or residual addition
/// fused and tensors kept in oneDNN's layout between them. A graph with a hard activation on a
/// channel count libtorch 1.13's oneDNN pass gets wrong runs frozen only (batch norm still folded,
/// libtorch's ordinary kernels); so does any other graph whose optimized form disagrees with the
/// frozen one on a probe batch, checked once per graph, so a defect nobody has met yet costs speed,
/// not wrong logits.
/// </summary>
public sealed class LibTorchEngine(Network network, Device device) : InferenceEngine(network, device, nameof(LibTorchEngine))
{
    /// <summary>The largest difference, relative to the larger of 1 and the frozen output's largest magnitude, at which the optimized graph is taken.</summary>
    public const double Tolerance = 1e-4;

    public override string Engine => InferenceConfig.LibTorch;

    public override string Description => $"{Engine} ({Plan})";

    /// <summary>How the last graph built runs: "onednn", or "frozen (why not oneDNN)".</summary>
    public string Plan { get; private set; } = "none built";

    protected override IDisposable Build(ModelProto graph)
    {
        using var script = TorchScriptSource.From(graph, Device);
        var frozen = InferenceModule.Compile(script.Source, script.Constants, optimize: false);
        if (script.OneDnnHazard is { } hazard)
        {
            Plan = $"frozen ({hazard}: not a multiple of {TorchScriptSource.OneDnnBlock})";
            return frozen;
        }
        InferenceModule? optimized = null;
        try
        {
            optimized = InferenceModule.Compile(script.Source, script.Constants, optimize: true);
            var dims = graph.Graph.Input.Single().Type.TensorType.Shape.Dim;
            using var probe = Probe([2, dims[1].DimValue, dims[2].DimValue, dims[3].DimValue], Device);
            double difference = Disagreement(frozen, optimized, probe);
            if (difference <= Tolerance)
            {
                Plan = "onednn";
                frozen.Dispose();
                return optimized;
            }
            Plan = $"frozen (the optimized graph differs by {difference.ToString("E2", CultureInfo.InvariantCulture)} on a probe batch)";
            optimized.Dispose();
            return frozen;
        }
        catch
        {
            optimized?.Dispose();
            frozen.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The largest difference between two modules' outputs on the probe, relative to the larger of 1
    /// and the reference's largest magnitude; each runs twice (libtorch's executor profiles the first
    /// call and may run an optimized plan from the second), and the second outputs are compared.
    /// </summary>
    internal static double Disagreement(InferenceModule reference, InferenceModule candidate, Tensor probe)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        reference.forward(probe);
        candidate.forward(probe);
        var expected = reference.forward(probe).to(ScalarType.Float32);
        var got = candidate.forward(probe).to(ScalarType.Float32);
        if (!expected.shape.SequenceEqual(got.shape)) return double.PositiveInfinity;
        double scale = Math.Max(1, expected.abs().max().item<float>());
        double difference = (got - expected).abs().max().item<float>();
        return double.IsNaN(difference) ? double.PositiveInfinity : difference / scale;
    }

    /// <summary>A fixed input in [-2, 2] that varies along every axis; deterministic and drawn from no generator, so a build leaves the caller's random state alone.</summary>
    internal static Tensor Probe(long[] shape, Device device)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        using var scope = torch.NewDisposeScope();
        return (torch.arange(0, n, 1, ScalarType.Float32, device) * 0.7303).sin().mul(2).reshape(shape).MoveToOuterDisposeScope();
    }

    protected override Tensor Run(IDisposable graph, Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var input = x.to(Device, ScalarType.Float32);
        return ((InferenceModule)graph).forward(input);
    }
}
