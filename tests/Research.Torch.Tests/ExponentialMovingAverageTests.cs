using Research.Torch.Modules;
using Research.Torch.Optim;

namespace Research.Torch.Tests;

public sealed class ExponentialMovingAverageTests
{
    /// <summary>A float64 Linear(2 → 1) plus a BN whose counter is an integer buffer.</summary>
    private static Sequential Model() => torch.nn.Sequential(
        torch.nn.Linear(2, 1, dtype: ScalarType.Float64),
        torch.nn.BatchNorm2d(1, dtype: ScalarType.Float64));

    private static void Set(Module model, double w0, double w1, double b, long batches)
    {
        using var _ = torch.no_grad();
        var fc = (Linear)((Sequential)model)[0];
        using (var w = torch.tensor(new[] { w0, w1 }, [1, 2])) fc.weight.copy_(w);
        fc.bias!.fill_(b);
        ((BatchNorm2d)((Sequential)model)[1]).num_batches_tracked!.fill_(batches);
    }

    private static double[] Shadow(ExponentialMovingAverage ema, string name)
    {
        var sd = ema.state_dict();
        try
        {
            return sd[name].to(ScalarType.Float64).ToArray<double>();
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Abs(expected[i]), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void ShadowIsTheHandComputedLerp()
    {
        using var model = Model();
        Set(model, 1.0, -2.0, 0.5, 0);
        using var ema = new ExponentialMovingAverage(model, decay: 0.9);
        Assert.Equal(0.9, ema.CurrentDecay);

        // shadow ← d·shadow + (1 − d)·value, starting from the weights at construction.
        Set(model, 3.0, 4.0, -1.0, 7);
        ema.Update(model);
        double[] w = [0.9 * 1.0 + 0.1 * 3.0, 0.9 * -2.0 + 0.1 * 4.0];
        double b = 0.9 * 0.5 + 0.1 * -1.0;
        AssertClose(w, Shadow(ema, "0.weight"));
        AssertClose([b], Shadow(ema, "0.bias"));
        Assert.Equal([7.0], Shadow(ema, "1.num_batches_tracked")); // integer buffers are copied, not averaged

        Set(model, -5.0, 0.25, 2.0, 9);
        ema.Update(model);
        w = [0.9 * w[0] + 0.1 * -5.0, 0.9 * w[1] + 0.1 * 0.25];
        b = 0.9 * b + 0.1 * 2.0;
        AssertClose(w, Shadow(ema, "0.weight"));
        AssertClose([b], Shadow(ema, "0.bias"));
        Assert.Equal([9.0], Shadow(ema, "1.num_batches_tracked"));
        Assert.Equal(2, ema.Updates);
        // BN's weight (1) and running_var (1) never changed: their average stays 1.
        Assert.Equal([1.0], Shadow(ema, "1.weight"));
    }

    [Fact]
    public void ApplySwapsTheAverageInAndRestoresOnDispose()
    {
        using var model = Model();
        Set(model, 1.0, -2.0, 0.5, 0);
        using var ema = new ExponentialMovingAverage(model, decay: 0.5);
        Set(model, 3.0, 4.0, -1.5, 3);
        ema.Update(model);
        var fc = (Linear)model[0];
        var weight = fc.weight; // the same tensor throughout: Apply copies values in place

        using (ema.Apply(model))
        {
            Assert.Equal([2.0, 1.0], fc.weight.ToArray<double>());
            Assert.Equal([-0.5], fc.bias!.ToArray<double>());
            using var scope = torch.NewDisposeScope();
            using var x = torch.tensor(new[] { 1.0, 1.0 }, [1, 2]);
            Assert.Equal(2.0 + 1.0 - 0.5, fc.call(x).item<double>());
        }
        Assert.Same(weight, fc.weight);
        Assert.Equal([3.0, 4.0], fc.weight.ToArray<double>());
        Assert.Equal([-1.5], fc.bias!.ToArray<double>());
        Assert.Equal(3L, ((BatchNorm2d)model[1]).num_batches_tracked!.item<long>());

        ema.CopyTo(model);
        Assert.Equal([2.0, 1.0], fc.weight.ToArray<double>());
    }

    [Fact]
    public void WarmupDecayIsOnePlusNOverTenPlusN()
    {
        using var model = Model();
        Set(model, 1.0, -2.0, 0.5, 0);
        using var ema = new ExponentialMovingAverage(model, decay: 0.99, warmup: true);
        double[] w = [1.0, -2.0];
        double[] next = [10.0, 20.0];
        for (int n = 0; n < 3; n++)
        {
            // d = min(decay, (1 + n)/(10 + n)) with n = updates so far: 0.1, 2/11, 0.25.
            double d = Math.Min(0.99, (1.0 + n) / (10.0 + n));
            Assert.Equal(d, ema.CurrentDecay, 1e-15);
            Set(model, next[0], next[1], 0, 0);
            ema.Update(model);
            w = [d * w[0] + (1 - d) * next[0], d * w[1] + (1 - d) * next[1]];
            AssertClose(w, Shadow(ema, "0.weight"));
            next = [next[0] * -0.5, next[1] + 3];
        }
        // Late in training the cap takes over.
        using var late = new ExponentialMovingAverage(model, decay: 0.99, warmup: true);
        var sd = late.state_dict();
        sd["updates"].fill_(10_000L);
        late.load_state_dict(sd);
        foreach (var t in sd.Values) t.Dispose();
        Assert.Equal(0.99, late.CurrentDecay);
    }
}
