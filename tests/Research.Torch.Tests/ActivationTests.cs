using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class ActivationTests
{
    private static readonly double[] Xs = [-4, -3, -1.5, -0.5, 0, 0.5, 1.5, 3, 4, 7];

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private static void Expect(Func<Tensor, Tensor> f, Func<double, double> reference, double tol = 1e-12)
    {
        using var x = torch.tensor(Xs);
        using var y = f(x);
        Assert.Equal(ScalarType.Float64, y.dtype);
        Check.Close(Xs.Select(reference).ToArray(), y, [Xs.Length], atol: tol, rtol: tol);
    }

    [Fact] public void Relu() => Expect(F.relu, x => Math.Max(x, 0));
    [Fact] public void Relu6() => Expect(F.relu6, x => Math.Min(Math.Max(x, 0), 6));
    [Fact] public void Sigmoid() => Expect(F.sigmoid, Logistic);
    [Fact] public void Tanh() => Expect(F.tanh, Math.Tanh);
    [Fact] public void Silu() => Expect(F.silu, x => x * Logistic(x));
    [Fact] public void Hardswish() => Expect(F.hardswish, x => x * Math.Min(Math.Max(x + 3, 0), 6) / 6);
    [Fact] public void Hardsigmoid() => Expect(F.hardsigmoid, x => Math.Min(Math.Max(x + 3, 0), 6) / 6);
    [Fact] public void LeakyRelu() => Expect(x => F.leaky_relu(x, 0.2), x => x >= 0 ? x : 0.2 * x);

    [Fact]
    public void GeluIsTheExactErfForm()
    {
        // Known values of x·Φ(x): gelu(1) = 0.8413447460685429, gelu(-1) = -0.15865525393145707.
        using var x = torch.tensor(new double[] { -1, 0, 1, 2 });
        using var y = F.gelu(x);
        Check.Close([-0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416], y, atol: 1e-12);
    }

    [Fact]
    public void ReluInPlace()
    {
        using var x = torch.tensor(new float[] { -1, 2 });
        Assert.Same(x, F.relu_(x));
        Assert.Equal(new float[] { 0, 2 }, x.ToArray<float>());
    }

    [Fact]
    public void SoftmaxOfOneTwoThree()
    {
        using var x = torch.tensor(new double[] { 1, 2, 3 });
        using var s = F.softmax(x, 0);
        Check.Close([0.09003057317038046, 0.24472847105479764, 0.6652409557748219], s, atol: 1e-12);
        using var ls = F.log_softmax(x, 0);
        Check.Close([-2.4076059644443806, -1.4076059644443806, -0.4076059644443806], ls, atol: 1e-12);
    }

    [Fact]
    public void SoftmaxAlongEachDimSumsToOne()
    {
        using var x = torch.tensor(new float[,] { { 1, 2, 3 }, { 1000, 1000, 1000 } });
        using var s1 = x.softmax(1);
        Check.Close([0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3], s1, atol: 1e-6); // stable for large inputs
        using var s0 = x.softmax(0);
        using var sums = s0.sum(0);
        Check.Close([1, 1, 1], sums, atol: 1e-6);
        using var ls = x.log_softmax(-1);
        using var back = ls.exp();
        Assert.True(back.allclose(s1, 1e-5, 1e-6));
    }
}
