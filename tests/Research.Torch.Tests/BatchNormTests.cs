using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class BatchNormTests
{
    // (N=2, C=2, H=1, W=2): channel 0 holds 1, 2, 3, 4; channel 1 holds 2, 4, 6, 8.
    private static Tensor Input() => torch.tensor(new double[] { 1, 2, 2, 4, 3, 4, 6, 8 }, [2, 2, 1, 2]);

    private static readonly double[] Ch0 = [1, 2, 3, 4];
    private static readonly double[] Ch1 = [2, 4, 6, 8];

    private static double Mean(double[] v) => v.Average();
    private static double Var(double[] v, bool unbiased)
    {
        double m = Mean(v);
        return v.Sum(x => (x - m) * (x - m)) / (v.Length - (unbiased ? 1 : 0));
    }

    [Fact]
    public void TrainingNormalisesWithBatchStatsAndUpdatesRunningStatsWithUnbiasedVariance()
    {
        using var x = Input();
        using var rm = torch.tensor(new double[] { 0.5, -1 });
        using var rv = torch.tensor(new double[] { 1, 2 });
        using var w = torch.tensor(new double[] { 2, 0.5 });
        using var b = torch.tensor(new double[] { 0.1, -0.2 });
        const double eps = 1e-5, momentum = 0.1;

        using var y = F.batch_norm(x, rm, rv, w, b, training: true, momentum: momentum, eps: eps);

        // Output uses the biased batch variance.
        double[] m = [Mean(Ch0), Mean(Ch1)];
        double[] vb = [Var(Ch0, false), Var(Ch1, false)];
        double Norm(double v, int c) => (v - m[c]) / Math.Sqrt(vb[c] + eps) * (c == 0 ? 2 : 0.5) + (c == 0 ? 0.1 : -0.2);
        double[] xs = [1, 2, 2, 4, 3, 4, 6, 8];
        int[] chan = [0, 0, 1, 1, 0, 0, 1, 1];
        Check.Close(xs.Select((v, i) => Norm(v, chan[i])).ToArray(), y, [2, 2, 1, 2], atol: 1e-12);

        // running = (1 - momentum) * running + momentum * batch; the variance is unbiased (n - 1).
        Check.Close([0.9 * 0.5 + 0.1 * 2.5, 0.9 * -1 + 0.1 * 5], rm, atol: 1e-12);
        Check.Close([0.9 * 1 + 0.1 * Var(Ch0, true), 0.9 * 2 + 0.1 * Var(Ch1, true)], rv, atol: 1e-12);
        Check.Close(5.0 / 3, Var(Ch0, true), 1e-12);
        Check.Close(20.0 / 3, Var(Ch1, true), 1e-12);
    }

    [Fact]
    public void TrainingWithoutRunningStatsStillNormalises()
    {
        using var x = Input();
        using var y = F.batch_norm(x, null, null, training: true);
        // Per channel: mean 0, biased variance ~1.
        using var perChannel = y.transpose(0, 1).reshape(2, -1);
        using var means = perChannel.mean(1);
        using var vars = perChannel.var([1], unbiased: false);
        Check.Close([0, 0], means, atol: 1e-12);
        Check.Close([1, 1], vars, atol: 1e-4);
    }

    [Fact]
    public void EvalUsesRunningStatsAndLeavesThemAlone()
    {
        using var x = Input();
        using var rm = torch.tensor(new double[] { 1, 2 });
        using var rv = torch.tensor(new double[] { 4, 0.25 });
        using var w = torch.tensor(new double[] { 3, 1 });
        using var b = torch.tensor(new double[] { 0, 1 });
        const double eps = 1e-5;
        using var y = F.batch_norm(x, rm, rv, w, b, training: false, eps: eps);
        double[] xs = [1, 2, 2, 4, 3, 4, 6, 8];
        int[] chan = [0, 0, 1, 1, 0, 0, 1, 1];
        double[] mean = [1, 2], var = [4, 0.25], wt = [3, 1], bs = [0, 1];
        Check.Close(xs.Select((v, i) => (v - mean[chan[i]]) / Math.Sqrt(var[chan[i]] + eps) * wt[chan[i]] + bs[chan[i]]).ToArray(), y, atol: 1e-12);
        Check.Close([1, 2], rm);
        Check.Close([4, 0.25], rv);
    }

    [Fact]
    public void TrainingOnFloat32MatchesFloat64()
    {
        using var x64 = Input();
        using var x32 = x64.@float();
        using var y64 = F.batch_norm(x64, null, null, training: true);
        using var y32 = F.batch_norm(x32, null, null, training: true);
        Assert.Equal(ScalarType.Float32, y32.dtype);
        Check.Close(y64.ToArray<double>(), y32, atol: 1e-5);
    }
}
