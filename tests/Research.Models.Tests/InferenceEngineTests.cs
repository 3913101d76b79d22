using Research.Models.Cells;
using Research.Models.Export;
using Research.Models.Inference;
using Research.Models.Networks;

namespace Research.Models.Tests;

/// <summary>
/// Both inference engines give the network's own eval-mode logits (batch norm unfolded, the
/// training graph) to 1e-4, for every block family and a genotype network, with random batch-norm
/// statistics so that folding is exercised far from the identity.
/// </summary>
[Collection(SerialRngCollection.Name)]
public class InferenceEngineTests
{
    private static float[] Logits(Func<Tensor, Tensor> forward, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return forward(x).ToArray<float>();
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    /// <summary>The largest difference of each engine's logits from the eager network's, for one random batch.</summary>
    private static (double LibTorch, double OnnxRuntime, double Scale) Compare(Network net, int batch, int resolution)
    {
        torch.manual_seed(1);
        using var x = torch.randn([batch, net.Spec.InChannels, resolution, resolution]);
        var eager = Logits(net.call, x);
        using var libtorch = InferenceEngine.Create(net, new InferenceConfig { Engine = InferenceConfig.LibTorch }, Device.CPU);
        using var ort = InferenceEngine.Create(net, new InferenceConfig { Engine = InferenceConfig.OnnxRuntime }, Device.CPU);
        var folded = Logits(libtorch.call, x);
        var runtime = Logits(ort.call, x);
        Assert.Equal(batch * net.Spec.Classes, folded.Length);
        return (MaxAbsDifference(eager, folded), MaxAbsDifference(eager, runtime), eager.Max(v => Math.Abs((double)v)));
    }

    [Theory]
    [MemberData(nameof(OnnxExportTests.Families), MemberType = typeof(OnnxExportTests))]
    public void EveryZooFamilyGivesTheEagerLogitsInBothEngines(string model, double width, int resolution)
    {
        using var net = OnnxExportTests.Randomised(ModelRegistry.Default.Create(model, new ModelOptions { WidthMultiplier = width, Classes = 10 }), 3);
        var (libtorch, ort, scale) = Compare(net, 3, resolution);
        Assert.True(scale > 1e-3, $"{model}: logits too small to compare ({scale:E2})");
        Assert.True(libtorch < 1e-4, $"{model}: libtorch engine differs by {libtorch:E2} (logits up to {scale:E2})");
        Assert.True(ort < 1e-4, $"{model}: onnxruntime engine differs by {ort:E2} (logits up to {scale:E2})");
    }

    [Fact]
    public void AGenotypeCellNetworkGivesTheEagerLogitsInBothEngines()
    {
        var layout = new CellNetworkLayout { Cells = 5, Channels = 8, StemMultiplier = 2, InChannels = 1, Classes = 10, Resolution = 28 };
        using var net = OnnxExportTests.Randomised(layout.ToSpec(CellNetworkTests.Sample, "cells"), 5);
        var (libtorch, ort, _) = Compare(net, 2, 28);
        Assert.True(libtorch < 1e-4, $"libtorch engine differs by {libtorch:E2}");
        Assert.True(ort < 1e-4, $"onnxruntime engine differs by {ort:E2}");
    }

    [Fact]
    public void TheLibTorchGraphHasNoBatchNormAndOneConvolutionPerConv()
    {
        using var net = OnnxExportTests.Randomised(ModelRegistry.Default.Create("mobilenet_v3_small", new ModelOptions { Classes = 4 }), 6);
        using var script = TorchScriptSource.From(OnnxExporter.Export(net, new OnnxExportOptions { Resolution = 32, DynamicBatch = true }), Device.CPU);
        int convs = net.named_modules().Count(m => m.Item2 is Research.Torch.Modules.Conv2d);
        Assert.DoesNotContain("batch_norm", script.Source);
        Assert.Equal(convs, script.Source.Split("torch.conv2d(").Length - 1);
        // Every convolution weight and bias, the classifier's two Linear layers: nothing else is a tensor.
        Assert.Equal(2 * convs + 4, script.Constants.Count);
    }

    /// <summary>oneDNN where libtorch 1.13 computes the graph right (no hard activation, or every one on a multiple of 16 channels), frozen kernels elsewhere.</summary>
    [Theory]
    [InlineData("mobilenet_v2", 1.0, "onednn")]
    [InlineData("efficientnet_b0", 1.0, "onednn")]
    [InlineData("shufflenet_v2_x0_5", 1.0, "onednn")]
    [InlineData("mobilenet_v3_small", 1.0, "frozen (HardSwish on 120 channels")]
    public void TheLibTorchEngineUsesOneDnnOnlyWhereLibTorchGetsItRight(string model, double width, string plan)
    {
        using var net = NetworkBuilder.Build(ModelRegistry.Default.Create(model, new ModelOptions { WidthMultiplier = width, Classes = 10, Resolution = 32 }));
        using var engine = (LibTorchEngine)InferenceEngine.Create(net, new InferenceConfig(), Device.CPU);
        using var x = torch.randn([1, 3, 32, 32]);
        Logits(engine.call, x);
        Assert.StartsWith(plan, engine.Plan);
    }

    /// <summary>The check that guards the optimized graph: the same source optimized or not agrees; a graph that computes something else is caught.</summary>
    [Fact]
    public void TheOptimizedGraphIsTakenOnlyWhereItAgreesWithTheFrozenOne()
    {
        const string source = """
            def forward(self, x: Tensor) -> Tensor:
                return torch.relu(torch.conv2d(x, self.w, self.b, [1, 1], [1, 1], [1, 1], 1))

            """;
        torch.manual_seed(2);
        using var w = torch.randn(16, 3, 3, 3);
        using var b = torch.randn(16);
        using var frozen = Research.Torch.Jit.InferenceModule.Compile(source, [("w", w), ("b", b)], optimize: false);
        using var optimized = Research.Torch.Jit.InferenceModule.Compile(source, [("w", w), ("b", b)], optimize: true);
        using var shifted = Research.Torch.Jit.InferenceModule.Compile(source.Replace("return torch.relu(", "return 1.001 * torch.relu("), [("w", w), ("b", b)], optimize: true);
        using var probe = LibTorchEngine.Probe([2, 3, 12, 12], Device.CPU);
        Assert.True(LibTorchEngine.Disagreement(frozen, optimized, probe) < 1e-5);
        double off = LibTorchEngine.Disagreement(frozen, shifted, probe);
        Assert.True(off > LibTorchEngine.Tolerance, $"a graph off by 0.1% passes the check ({off:E2})");
    }

    [Fact]
    public void TheProbeIsFixedAndLeavesTheRandomStateAlone()
    {
        torch.manual_seed(3);
        using var first = LibTorchEngine.Probe([2, 3, 8, 8], Device.CPU);
        using var drawn = torch.rand(4);
        torch.manual_seed(3);
        using var second = LibTorchEngine.Probe([2, 3, 8, 8], Device.CPU);
        using var again = torch.rand(4);
        Assert.Equal(first.ToArray<float>(), second.ToArray<float>());
        Assert.Equal(drawn.ToArray<float>(), again.ToArray<float>());
        var values = first.ToArray<float>();
        Assert.True(values.Min() < -1.9f && values.Max() > 1.9f);
        // Channels see different values, so a defect confined to some channels shows.
        using var channel0 = first.select(1, 0);
        using var channel1 = first.select(1, 1);
        Assert.NotEqual(channel0.ToArray<float>(), channel1.ToArray<float>());
    }

    [Fact]
    public void OneEngineServesAnyBatchAndEachSquareSizeAndRefusesOtherInputs()
    {
        using var net = OnnxExportTests.Randomised(ModelRegistry.Default.Create("shufflenet_v2_x0_5", new ModelOptions { Classes = 5 }), 7);
        using var engine = InferenceEngine.Create(net, new InferenceConfig(), Device.CPU);
        foreach (var (batch, size) in new[] { (1, 32), (4, 32), (2, 64) })
        {
            torch.manual_seed(batch);
            using var x = torch.randn([batch, 3, size, size]);
            Assert.True(MaxAbsDifference(Logits(net.call, x), Logits(engine.call, x)) < 1e-4, $"batch {batch}, {size}x{size}");
        }
        using var wide = torch.randn([1, 3, 32, 48]);
        var e = Assert.Throws<ArgumentException>(() => engine.call(wide));
        Assert.Contains("[1, 3, 32, 48]", e.Message);
        using var gray = torch.randn([1, 1, 32, 32]);
        Assert.Throws<ArgumentException>(() => engine.call(gray));
    }

    [Fact]
    public void OnnxRuntimeIsRefusedOffTheCpu()
    {
        using var net = NetworkBuilder.Build(ModelRegistry.Default.Create("mobilenet_v3_small", new ModelOptions { Classes = 4 }));
        var e = Assert.Throws<ArgumentException>(() => InferenceEngine.Create(net, new InferenceConfig { Engine = InferenceConfig.OnnxRuntime }, Device.CUDA));
        Assert.Contains("--device cpu", e.Message);
        Assert.Throws<ArgumentException>(() => InferenceEngine.Create(net, new InferenceConfig { Engine = "tvm" }, Device.CPU));
    }
}
