namespace Research.Torch.Tests;

public sealed class GradientClippingTests
{
    private static (Parameter a, Parameter b) WithGrads(double[] ga, double[] gb, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var a = new Parameter(torch.zeros([ga.Length], dtype));
        var b = new Parameter(torch.zeros([2, gb.Length / 2], dtype));
        a.grad = torch.tensor(ga).to(dtype);
        b.grad = torch.tensor(gb, [2, gb.Length / 2]).to(dtype);
        return (a, b);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void ScalesAllGradientsToMaxNormAndReturnsThePreClipNorm(ScalarType dtype)
    {
        // Global norm √(3² + 4² + 12² + 84²) = √(9 + 16 + 144 + 7056) = √7225 = 85.
        var (a, b) = WithGrads([3, 4], [12, 0, 0, 84], dtype);
        using (a)
        using (b)
        {
            double norm = torch.nn.utils.clip_grad_norm_([a, b], max_norm: 17);
            // In the gradients' own precision (as PyTorch): float64 is exact here.
            double rel = dtype == ScalarType.Float64 ? 1e-14 : 1e-6;
            Assert.True(Math.Abs(norm - 85) <= 85 * rel, $"norm {norm:R}");
            // Every gradient is scaled by the same coefficient max_norm/(norm + 1e-6).
            double coef = 17 / (85 + 1e-6);
            using var scope = torch.NewDisposeScope();
            AssertClose(new[] { 3, 4 }.Select(v => v * coef).ToArray(), a.grad!.to(ScalarType.Float64).ToArray<double>(), rel);
            AssertClose(new[] { 12, 0, 0, 84 }.Select(v => v * coef).ToArray(), b.grad!.to(ScalarType.Float64).ToArray<double>(), rel);
            Assert.Equal(dtype, a.grad!.dtype);
            // The new global norm is max_norm.
            double clipped = torch.nn.utils.clip_grad_norm_([a, b], max_norm: 1000);
            Assert.True(Math.Abs(clipped - 17 * 85 / (85 + 1e-6)) <= 17 * rel, $"norm after clipping {clipped:R}");
        }
    }

    [Fact]
    public void UnderTheLimitLeavesGradientsUnchanged()
    {
        var (a, b) = WithGrads([0.3, -0.4], [1.2, 0, 0, 0], ScalarType.Float32);
        using (a)
        using (b)
        {
            using var scope = torch.NewDisposeScope();
            var before = a.grad!.ToBytes().Concat(b.grad!.ToBytes()).ToArray();
            double norm = torch.nn.utils.clip_grad_norm_([a, b], max_norm: 5);
            Assert.Equal(1.3, norm, 1e-6);
            Assert.Equal(before, a.grad!.ToBytes().Concat(b.grad!.ToBytes()).ToArray());
        }
    }

    [Fact]
    public void ParametersWithoutGradientsAreIgnored()
    {
        using var scope = torch.NewDisposeScope();
        using var none = new Parameter(torch.ones(3));
        Assert.Equal(0, torch.nn.utils.clip_grad_norm_([none], 1.0));
        var (a, b) = WithGrads([6, 8], [0, 0], ScalarType.Float32);
        using (a)
        using (b)
        {
            Assert.Equal(10, torch.nn.utils.clip_grad_norm_([none, a, b], 5), 1e-5);
            Assert.Null(none.grad);
            AssertClose([3, 4], a.grad!.to(ScalarType.Float64).ToArray<double>(), 1e-6);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.nn.utils.clip_grad_norm_([none], 0));
    }

    private static void AssertClose(double[] expected, double[] actual, double rel = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rel * Math.Abs(expected[i]), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
