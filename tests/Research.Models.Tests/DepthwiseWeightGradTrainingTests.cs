using Research.Models.Networks;
using Research.Torch;
using Xunit.Abstractions;

namespace Research.Models.Tests;

/// <summary>
/// Whole networks, one training step with the depthwise weight-gradient kernel
/// (<c>torch.depthwise_conv_kernel_enabled</c>) and without, both measured against the same network
/// in float64 (where the kernel does not apply: libtorch's float64 path). The kernel changes nothing
/// but the depthwise convolutions' weight gradients, which feed no other gradient: the loss and every
/// other gradient and statistic must come out the same to the bit, and each depthwise weight gradient
/// as close to float64 as libtorch's float32 one (it sums each image in float and the batch in double,
/// libtorch all in float). The profiler proves which path ran.
/// </summary>
[Collection(SerialRngCollection.Name)] // each network is drawn from torch's global generator after seeding it
public class DepthwiseWeightGradTrainingTests(ITestOutputHelper output)
{
    private const int Batch = 8;
    private const int Size = 32;
    private const double Slack = 2;
    private const double Floor = 1e-6;

    [Theory]
    [InlineData("mobilenet_v2", true)] // 3x3, strides 1 and 2, NHWC
    [InlineData("efficientnet_b0", true)] // 3x3 and 5x5 at 1x1 to 16x16 maps, NHWC
    [InlineData("efficientnet_b0", false)] // the same from NCHW (copied to NHWC for the kernel)
    [InlineData("mobilenet_v3_small", true)]
    public void OnlyDepthwiseWeightGradientsChangeAndTheyStayAsCloseToFloat64(string model, bool channelsLast)
    {
        torch.manual_seed(7);
        var (spec, x64Made, yMade) = TrainingStepProbe.Setup(model, inChannels: 3, Size, Batch);
        using var x64 = x64Made;
        using var y = yMade;
        using var initial = NetworkBuilder.Build(spec);
        var depthwise = initial.named_modules().Where(m => m.module is Torch.Modules.Conv2d c && c.Groups > 1 && c.Groups == c.InChannels && c.OutChannels == c.Groups)
            .Select(m => "grad " + m.name + ".weight").ToHashSet();
        Assert.NotEmpty(depthwise);

        TrainingStepProbe Run(bool kernel, ScalarType dtype)
        {
            bool was = torch.depthwise_conv_kernel_enabled;
            torch.depthwise_conv_kernel_enabled = kernel;
            try { return TrainingStepProbe.Run(spec, initial, x64, y, dtype, channelsLast, "research::depthwise_conv2d_backward"); }
            finally { torch.depthwise_conv_kernel_enabled = was; }
        }

        using var reference = Run(kernel: true, ScalarType.Float64);
        using var ours = Run(kernel: true, ScalarType.Float32);
        using var theirs = Run(kernel: false, ScalarType.Float32);
        Assert.Equal(0, reference.Calls); // float64: libtorch's path
        Assert.Equal(depthwise.Count, ours.Calls);
        Assert.Equal(0, theirs.Calls);
        Assert.Equal(theirs.Loss, ours.Loss);

        static double MaxAbs(Tensor t)
        {
            using var m = t.abs().max();
            return m.item<double>();
        }
        double Error(Tensor a, Tensor r)
        {
            using var d = (a - r).abs().max();
            return d.item<double>() / Math.Max(MaxAbs(r), 1e-30);
        }
        foreach (var name in theirs.Values.Keys.Where(k => !depthwise.Contains(k)))
            Assert.True(theirs.Values[name].equal(ours.Values[name]), $"{model}: {name} changed with the kernel on");
        foreach (var name in depthwise)
        {
            double e = Error(ours.Values[name], reference.Values[name]), l = Error(theirs.Values[name], reference.Values[name]);
            output.WriteLine($"{model} {(channelsLast ? "NHWC" : "NCHW")} {name}: error against float64 kernel {e:E2}, libtorch {l:E2}");
            Assert.True(e <= Slack * l + Floor, $"{model} {name}: the kernel's error against float64 {e:E2}, libtorch's {l:E2}");
        }
    }
}
