using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

/// <summary>Analytic gradients (backward) against central finite differences, in float64, for inputs and parameters.</summary>
public class GradCheckTests
{
    [Fact]
    public void Conv2dWithStridePaddingAndBias() =>
        GradCheck.Run(
            t => GradCheck.Project(F.conv2d(t[0], t[1], t[2], stride: 2, padding: 1)),
            [Data.Input([2, 2, 5, 5], 1), Data.Input([3, 2, 3, 3], 2), Data.Input([3], 3)]);

    [Fact]
    public void Conv2dRectangularStridePaddingDilation() =>
        GradCheck.Run(
            t => GradCheck.Project(F.conv2d(t[0], t[1], t[2], (1, 2), (2, 0), (2, 1))),
            [Data.Input([1, 2, 6, 5], 4), Data.Input([2, 2, 3, 2], 5), Data.Input([2], 6)]);

    [Fact]
    public void Conv2dDepthwise() =>
        GradCheck.Run(
            t => GradCheck.Project(F.conv2d(t[0], t[1], t[2], stride: 1, padding: 1, groups: 3)),
            [Data.Input([2, 3, 4, 4], 7), Data.Input([3, 1, 3, 3], 8), Data.Input([3], 9)]);

    [Fact]
    public void Conv2dDepthwiseWithoutBias() =>
        GradCheck.Run(
            t => GradCheck.Project(F.conv2d(t[0], t[1], stride: 2, groups: 4)),
            [Data.Input([1, 4, 5, 5], 10), Data.Input([4, 1, 3, 3], 11)]);

    [Fact]
    public void BatchNormTraining() =>
        GradCheck.Run(
            t => GradCheck.Project(F.batch_norm(t[0], null, null, t[1], t[2], training: true)),
            [Data.Input([3, 2, 2, 2], 12, -2, 2), Data.Input([2], 13, 0.5, 1.5), Data.Input([2], 14)]);

    [Fact]
    public void BatchNormTrainingWithRunningStats()
    {
        // Running statistics are updated in place but do not change the training-mode output or its gradient.
        using var rm = torch.zeros([3], torch.float64);
        using var rv = torch.ones([3], torch.float64);
        GradCheck.Run(
            t => GradCheck.Project(F.batch_norm(t[0], rm, rv, t[1], t[2], training: true, momentum: 0.3)),
            [Data.Input([4, 3, 1, 2], 15, -2, 2), Data.Input([3], 16, 0.5, 1.5), Data.Input([3], 17)]);
    }

    [Fact]
    public void BatchNormEval()
    {
        using var rm = torch.tensor(new double[] { 0.3, -0.2 });
        using var rv = torch.tensor(new double[] { 1.5, 0.7 });
        GradCheck.Run(
            t => GradCheck.Project(F.batch_norm(t[0], rm, rv, t[1], t[2], training: false)),
            [Data.Input([2, 2, 2, 2], 18), Data.Input([2], 19, 0.5, 1.5), Data.Input([2], 20)]);
    }

    [Fact]
    public void Linear() =>
        GradCheck.Run(
            t => GradCheck.Project(F.linear(t[0], t[1], t[2])),
            [Data.Input([3, 4], 21), Data.Input([2, 4], 22), Data.Input([2], 23)]);

    [Fact]
    public void LinearBatchedWithoutBias() =>
        GradCheck.Run(
            t => GradCheck.Project(F.linear(t[0], t[1])),
            [Data.Input([2, 3, 4], 24), Data.Input([5, 4], 25)]);

    [Fact]
    public void Silu() =>
        GradCheck.Run(t => GradCheck.Project(F.silu(t[0])), [Data.Input([12], 26, -5, 5)]);

    [Fact]
    public void Hardswish()
    {
        // Every region of x·relu6(x + 3)/6, staying clear of the kinks at ±3.
        double[] xs = [-4.5, -3.5, -2.9, -2.2, -1, -0.3, 0, 0.4, 1.7, 2.6, 2.95, 3.05, 3.8, 6];
        GradCheck.Run(t => GradCheck.Project(F.hardswish(t[0])), [(xs, [xs.Length])]);
    }

    [Fact]
    public void HardswishInsideAConv()
    {
        GradCheck.Run(
            t => GradCheck.Project(F.hardswish(F.conv2d(t[0], t[1], padding: 1))),
            [Data.Input([1, 2, 3, 3], 27), Data.Input([2, 2, 3, 3], 28)]);
    }

    [Fact]
    public void AdaptiveAvgPool2d()
    {
        GradCheck.Run(t => GradCheck.Project(F.adaptive_avg_pool2d(t[0], (3, 2))), [Data.Input([2, 2, 5, 5], 29)]);
        GradCheck.Run(t => GradCheck.Project(F.adaptive_avg_pool2d(t[0], 1)), [Data.Input([1, 3, 4, 3], 30)]);
    }

    [Fact]
    public void CrossEntropy()
    {
        using var y = torch.tensor(new long[] { 1, 0, 4, 2 });
        GradCheck.Run(t => F.cross_entropy(t[0], y), [Data.Input([4, 5], 31, -2, 2)]);
    }

    [Fact]
    public void CrossEntropyWithLabelSmoothing()
    {
        using var y = torch.tensor(new long[] { 1, 0, 4, 2 });
        GradCheck.Run(t => F.cross_entropy(t[0], y, label_smoothing: 0.2), [Data.Input([4, 5], 32, -2, 2)]);
        using var w = torch.tensor(new double[] { 1, 2, 0.5, 1, 3 });
        GradCheck.Run(t => F.cross_entropy(t[0], y, w, label_smoothing: 0.1), [Data.Input([4, 5], 33, -2, 2)]);
    }

    [Fact]
    public void CrossEntropyOfAConvNet()
    {
        // conv -> batch norm -> silu -> global pool -> linear -> cross entropy: every parameter at once.
        // (No conv bias: training-mode batch norm subtracts the channel mean, so its gradient is exactly 0.)
        using var y = torch.tensor(new long[] { 2, 0 });
        GradCheck.Run(
            t =>
            {
                var h = F.conv2d(t[0], t[1], padding: 1);
                h = F.batch_norm(h, null, null, t[2], t[3], training: true);
                h = F.silu(h);
                h = F.adaptive_avg_pool2d(h, 1).flatten(1);
                return F.cross_entropy(F.linear(h, t[4], t[5]), y, label_smoothing: 0.1);
            },
            [Data.Input([2, 2, 4, 4], 34), Data.Input([3, 2, 3, 3], 35),
             Data.Input([3], 37, 0.5, 1.5), Data.Input([3], 38), Data.Input([3, 3], 39), Data.Input([3], 40)]);
    }

    [Fact]
    public void SoftmaxAndElementwiseMath() =>
        GradCheck.Run(
            t => GradCheck.Project(F.softmax(t[0], 1) * t[0].exp() + t[1].sqrt() * t[0].tanh() - 1.0 / t[1]),
            [Data.Input([3, 4], 41), Data.Input([3, 4], 42, 0.5, 2)]);

    [Fact]
    public void ShapeOpsAndIndexing() =>
        GradCheck.Run(
            t => GradCheck.Project(torch.cat([t[0][0, 1..3], t[0].permute(0, 2, 1).reshape(2, 4, 3)[1, TensorIndex.Ellipsis, 0..1].t()], 0)),
            [Data.Input([2, 3, 4], 43)]);

    [Fact]
    public void GradCheckDetectsAWrongGradient()
    {
        // The helper itself must fail when the analytic gradient is wrong: the gradient of
        // x·detach(x) is detach(x) only (not 2x), so the finite difference (2x) disagrees.
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            GradCheck.Run(t => (t[0] * t[0].detach()).sum(), [Data.Input([3], 44, 0.5, 1)]));
    }
}
