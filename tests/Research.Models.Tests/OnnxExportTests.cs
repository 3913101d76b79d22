using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Research.Models.Cells;
using Research.Models.Export;
using Research.Models.Networks;
using Research.Torch.Modules;

namespace Research.Models.Tests;

/// <summary>Exported graphs run in ONNX Runtime and agree with our eval-mode forward pass to 1e-4, for every block family and a genotype network.</summary>
public class OnnxExportTests
{
    /// <summary>Random weights and random BN statistics, so folding is exercised with non-trivial values.</summary>
    internal static Network Randomised(NetworkSpec spec, int seed)
    {
        torch.manual_seed(seed);
        var net = NetworkBuilder.Build(spec);
        using var noGrad = torch.no_grad();
        foreach (var (_, m) in net.named_modules())
            if (m is BatchNorm2d bn)
            {
                bn.running_mean!.uniform_(-0.5, 0.5);
                bn.running_var!.uniform_(0.5, 2.0);
                bn.weight?.uniform_(0.5, 1.5);
                bn.bias?.uniform_(-0.5, 0.5);
            }
        net.eval();
        return net;
    }

    private static (float[] Ours, float[] Runtime) Compare(Network net, int batch, int resolution, bool dynamicBatch)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnx").FullName, "m.onnx");
        OnnxExporter.Save(net, path, new OnnxExportOptions { Resolution = resolution, DynamicBatch = dynamicBatch, Batch = batch });
        torch.manual_seed(1);
        using var x = torch.randn([batch, net.Spec.InChannels, resolution, resolution]);
        float[] ours;
        using (torch.no_grad())
        using (var y = net.call(x))
            ours = y.ToArray<float>();
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(path, options);
        var input = new DenseTensor<float>(x.ToArray<float>(), [batch, net.Spec.InChannels, resolution, resolution]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        var output = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>();
        Assert.Equal([batch, net.Spec.Classes], output.Dimensions.ToArray());
        return (ours, output.ToArray());
    }

    private static double MaxAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    public static TheoryData<string, double, int> Families() => new()
    {
        { "efficientnet_b0", 0.5, 64 },      // MBConv with SE (SiLU, sigmoid gate), drop-connect
        { "mobilenet_v2", 0.5, 64 },         // MBConv, ReLU6, no SE
        { "mobilenet_v3_small", 1.0, 64 },   // hard SE, hard-swish, Linear head
        { "mobilenext_1_0", 0.5, 64 },       // sandglass blocks, all three layouts
        { "ghostnet_1_0", 0.5, 64 },         // Ghost modules and bottlenecks, conv head
        { "shufflenet_v2_x0_5", 1.0, 64 },   // ShuffleV2 units, channel shuffle, max-pool stem
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void EveryZooFamilyAgreesWithOnnxRuntime(string model, double width, int resolution)
    {
        using var net = Randomised(ModelRegistry.Default.Create(model, new ModelOptions { WidthMultiplier = width, Classes = 10 }), 3);
        var (ours, runtime) = Compare(net, 2, resolution, dynamicBatch: false);
        double diff = MaxAbsDifference(ours, runtime);
        Assert.True(diff < 1e-4, $"{model}: max abs difference {diff:E2}");
    }

    [Fact]
    public void DepthwiseSeparableBlocksAgreeWithOnnxRuntime()
    {
        var spec = SpecYaml.Parse("""
            name: dsnet
            in_channels: 3
            classes: 5
            resolution: 32
            stem: cn_r1_k3_s2_c16_arelu
            stages:
              - [ds_r2_k3_s1_c24_arelu, ds_r1_k5_s2_c32_aswish_se0.25]
            head: {conv: 64, conv_act: relu, dropout: 0.2}
            """.Replace("aswish", "asilu"));
        using var net = Randomised(spec, 4);
        var (ours, runtime) = Compare(net, 3, 32, dynamicBatch: true);
        Assert.True(MaxAbsDifference(ours, runtime) < 1e-4);
    }

    [Fact]
    public void AGenotypeCellNetworkAgreesWithOnnxRuntime()
    {
        // Reduction cells with skip (factorized reduce) and max pooling, normal cells with every block family and average pooling.
        var layout = new CellNetworkLayout { Cells = 5, Channels = 8, StemMultiplier = 2, InChannels = 1, Classes = 10, Resolution = 28 };
        using var net = Randomised(layout.ToSpec(CellNetworkTests.Sample, "cells"), 5);
        var (ours, runtime) = Compare(net, 2, 28, dynamicBatch: true);
        double diff = MaxAbsDifference(ours, runtime);
        Assert.True(diff < 1e-4, $"cell network: max abs difference {diff:E2}");
    }

    [Fact]
    public void ADynamicBatchTakesAnyBatchAndBadOptionsAreRefused()
    {
        using var net = Randomised(ModelRegistry.Default.Create("mobilenet_v3_small", new ModelOptions { Classes = 4, InChannels = 1 }), 6);
        var (ours, runtime) = Compare(net, 5, 32, dynamicBatch: true);
        Assert.True(MaxAbsDifference(ours, runtime) < 1e-4);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(net, new OnnxExportOptions { Opset = 11 }));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(net, new OnnxExportOptions { Resolution = 4 }));
    }
}
