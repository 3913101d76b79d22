using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class DropoutTests
{
    private static Tensor Input() => torch.linspace(1, 2, 4000);

    [Fact]
    public void ZeroProbabilityIsIdentityInTraining()
    {
        using var x = Input();
        using var y = F.dropout(x, 0.0, training: true);
        Assert.Equal(x.ToArray<float>(), y.ToArray<float>());
    }

    [Fact]
    public void EvalIsIdentity()
    {
        using var x = Input();
        using var y = F.dropout(x, 0.5, training: false);
        Assert.Equal(x.ToArray<float>(), y.ToArray<float>());
    }

    [Fact]
    public void TrainingZeroesOrScalesByOneOverKeepProbability()
    {
        using var x = Input();
        const double p = 0.25;
        using var y = F.dropout(x, p, training: true);
        var xs = x.ToArray<float>();
        var ys = y.ToArray<float>();
        int zeros = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            if (ys[i] == 0) { zeros++; continue; }
            Assert.Equal(xs[i] / (1 - p), ys[i], 1e-5);
        }
        // 4000 Bernoulli(0.25) draws: mean 1000, sd ~27; allow > 7 sd.
        Assert.InRange(zeros, 800, 1200);
    }

    [Fact]
    public void FullProbabilityZeroesEverything()
    {
        using var x = Input();
        using var y = F.dropout(x, 1.0, training: true);
        Assert.All(y.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void GradientFollowsTheMask()
    {
        using var x = torch.ones([1000], torch.float64, requires_grad: true);
        using var y = F.dropout(x, 0.5, training: true);
        using var s = y.sum();
        s.backward();
        using var g = x.grad!;
        // d y_i / d x_i equals y_i / x_i: 0 where dropped, 2 where kept.
        Assert.Equal(y.ToArray<double>(), g.ToArray<double>());
        Assert.All(g.ToArray<double>(), v => Assert.True(v == 0 || v == 2));
    }

    [Fact]
    public void InvalidProbabilityThrows()
    {
        using var x = Input();
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, -0.1));
    }
}
