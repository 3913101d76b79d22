using Research.Search.Proxies;
using Research.Torch.Modules;

namespace Research.Search.Tests;

/// <summary>
/// Each proxy on networks small enough to compute its published definition by hand (or by plain loops here, not by
/// libtorch), and the rank statistics on tables whose values are exact fractions.
/// </summary>
public class ProxyTests
{
    private const double Tolerance = 1e-9;

    private static void Close(double expected, double actual, double relative = Tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    /// <summary>A linear classifier with fixed weights: logits z = x·Wᵀ + b.</summary>
    private static (Sequential Net, double[,] W, double[] B) LinearNet()
    {
        double[,] w = { { 0.5, -1.0, 0.25 }, { -0.75, 0.2, 1.5 } };
        double[] b = { 0.1, -0.3 };
        var lin = torch.nn.Linear(3, 2);
        using (torch.no_grad())
        {
            using var wt = torch.tensor(new[] { 0.5f, -1.0f, 0.25f, -0.75f, 0.2f, 1.5f }, [2, 3]);
            using var bt = torch.tensor(new[] { 0.1f, -0.3f });
            lin.weight.copy_(wt);
            lin.bias!.copy_(bt);
        }
        // Stored in float32: the hand computation uses the same values.
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++) w[i, j] = (float)w[i, j];
            b[i] = (float)b[i];
        }
        return (torch.nn.Sequential(lin), w, b);
    }

    private static readonly float[,] X = { { 1.0f, 2.0f, -1.0f }, { 0.5f, -0.5f, 2.0f }, { -1.5f, 1.0f, 0.25f } };
    private static readonly long[] Y = { 0, 1, 1 };

    private static ProxyBatch Batch() => ProxyBatch.Of(torch.tensor(X), torch.tensor(Y), "test");

    /// <summary>Logits, softmax and ∂L/∂z = (p − onehot)/N of the mean cross-entropy, by loops.</summary>
    private static (double[,] Z, double[,] G) Forward(double[,] w, double[] b)
    {
        int n = X.GetLength(0);
        var z = new double[n, 2];
        var g = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 2; k++)
            {
                z[i, k] = b[k];
                for (int j = 0; j < 3; j++) z[i, k] += X[i, j] * w[k, j];
            }
            double m = Math.Max(z[i, 0], z[i, 1]);
            double e0 = Math.Exp(z[i, 0] - m), e1 = Math.Exp(z[i, 1] - m);
            double[] p = [e0 / (e0 + e1), e1 / (e0 + e1)];
            for (int k = 0; k < 2; k++) g[i, k] = (p[k] - (Y[i] == k ? 1 : 0)) / n;
        }
        return (z, g);
    }

    /// <summary>∂L/∂W[k, j] = Σ_i g[i, k]·x[i, j].</summary>
    private static double[,] WeightGradient(double[,] g)
    {
        var dw = new double[2, 3];
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < X.GetLength(0); i++) dw[k, j] += g[i, k] * X[i, j];
        return dw;
    }

    [Fact]
    public void SnipIsTheSumOfWeightTimesGradient()
    {
        var (net, w, b) = LinearNet();
        using var _ = net;
        using var batch = Batch();
        var dw = WeightGradient(Forward(w, b).G);
        double expected = 0;
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 3; j++) expected += Math.Abs(w[k, j] * dw[k, j]);
        Close(expected, Snip.Score(net, batch), 1e-6);
    }

    [Fact]
    public void GradNormIsTheNormOfEachLayersWeightGradientSummed()
    {
        var (net, w, b) = LinearNet();
        using var _ = net;
        using var batch = Batch();
        var dw = WeightGradient(Forward(w, b).G);
        double sq = 0;
        foreach (var v in dw) sq += v * v;
        Close(Math.Sqrt(sq), GradNorm.Score(net, batch), 1e-6);
    }

    [Fact]
    public void FisherIsHalfTheMeanSquaredActivationTimesGradientPerChannelSpreadOverTheFilter()
    {
        var (net, w, b) = LinearNet();
        using var _ = net;
        using var batch = Batch();
        var (z, g) = Forward(w, b);
        int n = X.GetLength(0);
        double expected = 0;
        for (int k = 0; k < 2; k++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += Math.Pow(z[i, k] * g[i, k], 2) / n;
            expected += 3 * 0.5 * mean; // three weights per output unit
        }
        Close(expected, Fisher.Score(net, batch), 1e-6);
    }

    [Fact]
    public void JacobCovOfALinearNetworkSeesIdenticalJacobians()
    {
        // Every image's Jacobian of Σz is the column sums of W: the correlation matrix is all ones, eigenvalues N and 0 (N − 1 times).
        var (net, _, _) = LinearNet();
        using var _ = net;
        using var images = torch.tensor(X);
        int n = X.GetLength(0);
        double k = JacobCov.K;
        double expected = -(Math.Log(n + k) + 1 / (n + k)) - (n - 1) * (Math.Log(k) + 1 / k);
        Close(expected, JacobCov.Score(net, images), 1e-6);
    }

    [Fact]
    public void SynflowRemovesBatchNormTakesAbsoluteWeightsAndAnAllOnesInput()
    {
        // conv 1×1 (1 → 2, no bias), batch norm (affine 5, which must not count), ReLU: R = H·W·(|w₀| + |w₁|), ∂R/∂wₖ = H·W.
        var conv = torch.nn.Conv2d(1, 2, 1, bias: false);
        var bn = torch.nn.BatchNorm2d(2);
        using (torch.no_grad())
        {
            using var wt = torch.tensor(new[] { -0.5f, 2.0f }, [2, 1, 1, 1]);
            conv.weight.copy_(wt);
            bn.weight!.fill_(5);
        }
        using var net = torch.nn.Sequential(conv, bn, torch.nn.ReLU());
        Close(5 * 7 * (0.5 + 2.0), Synflow.Score(net, [1, 5, 7]));
    }

    [Fact]
    public void NaswotIsTheLogDeterminantOfTheHammingKernelOfActivationCodes()
    {
        // One ReLU over 4 units: codes 1100, 1010, 0111 → K[i, j] = units on which i and j agree.
        using var net = torch.nn.Sequential(torch.nn.ReLU());
        using var x = torch.tensor(new[] { 1f, 2f, -1f, -3f, 0.5f, -1f, 4f, 0f, -2f, 1f, 1f, 3f }, [3, 1, 2, 2]);
        double[,] k = { { 4, 2, 1 }, { 2, 4, 1 }, { 1, 1, 4 } };
        double det = k[0, 0] * (k[1, 1] * k[2, 2] - k[1, 2] * k[2, 1]) - k[0, 1] * (k[1, 0] * k[2, 2] - k[1, 2] * k[2, 0]) +
                     k[0, 2] * (k[1, 0] * k[2, 1] - k[1, 1] * k[2, 0]);
        Close(Math.Log(det), Naswot.Score(net, x));
    }

    [Fact]
    public void NaswotCodesSiluAndHardSwishAtZeroAndIgnoresGates()
    {
        using var net = torch.nn.Sequential(torch.nn.SiLU(), torch.nn.Hardsigmoid(), torch.nn.Hardswish());
        using var x = torch.tensor(new[] { 1f, -2f, 3f, 0.5f }, [2, 1, 1, 2]);
        // SiLU sees x: codes 10, 11. Hard-sigmoid (a gate) is not coded. Hard-swish sees hardsigmoid(silu(x)) > 0 everywhere: 11, 11.
        double[,] k = { { 2 + 2, 1 + 2 }, { 1 + 2, 2 + 2 } };
        Close(Math.Log(k[0, 0] * k[1, 1] - k[0, 1] * k[1, 0]), Naswot.Score(net, x));
    }

    [Fact]
    public void ProxyNamesAreCheckedNamingTheUnknownOne()
    {
        Assert.Equal(["synflow", "params"], ZeroCostProxy.ParseList("synflow, params", "--proxies"));
        var e = Assert.Throws<ArgumentException>(() => ZeroCostProxy.ParseList("synflow,zico", "--proxies"));
        Assert.Contains("unknown proxy 'zico'", e.Message);
        Assert.Contains("naswot", e.Message);
    }

    // x and y with one tie each: τ-b = 11/√(14·14) = 11/14, ρ = 15/17 (Pearson's r of the average ranks).
    private static readonly double[] TiedX = [1, 2, 2, 3, 5, 4];
    private static readonly double[] TiedY = [1, 3, 2, 4, 4, 6];

    [Fact]
    public void KendallTauBCountsTiesAsTheDefinitionDoes()
    {
        Close(11.0 / 14, RankCorrelation.KendallTauB(TiedX, TiedY));
        Close(0.8, RankCorrelation.KendallTauB([1, 1, 2, 3], [1, 2, 2, 3])); // 4 / √(5·5)
        Close(1, RankCorrelation.KendallTauB([1, 2, 3, 4], [10, 20, 30, 40]));
        Close(-1, RankCorrelation.KendallTauB([1, 2, 3, 4], [4, 3, 2, 1]));
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void SpearmanUsesAverageRanks() => Close(15.0 / 17, RankCorrelation.Spearman(TiedX, TiedY));

    [Fact]
    public void TheBootstrapIntervalIsSeededAndHoldsTheEstimate()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 40).Select(i => (double)i).ToArray();
        var y = x.Select(v => v + rng.NextDouble() * 15).ToArray();
        var a = RankCorrelation.BootstrapInterval(x, y, RankCorrelation.Spearman, 500, seed: 7);
        var b = RankCorrelation.BootstrapInterval(x, y, RankCorrelation.Spearman, 500, seed: 7);
        Assert.Equal(a, b);
        double rho = RankCorrelation.Spearman(x, y);
        Assert.True(a.Low < rho && rho < a.High && a.High <= 1 && a.Low > 0.5, $"interval [{a.Low}, {a.High}] for rho {rho}");
        var c = RankCorrelation.BootstrapInterval(x, y, RankCorrelation.Spearman, 500, seed: 8);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void CorrelationTablesCompareEachProxyWithParamsOnTheSameResamples()
    {
        // Accuracy follows synflow exactly and params inversely: synflow beats params, params' difference with itself is 0.
        var rows = Enumerable.Range(0, 12).Select(i => new ProxyRow($"n{i}", "", Params: 100 - i, Macs: 10 + i % 3,
            new Dictionary<string, double> { ["synflow"] = i * 1.5 }, 0)).ToList();
        var acc = rows.ToDictionary(r => r.Name, r => 50.0 + r.Scores["synflow"]);
        acc["unscored"] = 99; // an accuracy without scores is left out
        var table = ProxyCorrelation.Compute(rows, acc, ["synflow", "params", "macs"], seed: 0);
        var s = table.Single(r => r.Proxy == "synflow");
        Assert.Equal(12, s.Count);
        Close(1, s.Spearman);
        Close(1, s.Kendall);
        Close(2, s.VersusParams);
        Assert.True(s.BeatsParams);
        var p = table.Single(r => r.Proxy == "params");
        Close(-1, p.Spearman);
        Assert.Equal((0.0, 0.0), (p.VersusParamsLow, p.VersusParamsHigh));
        Assert.False(p.BeatsParams);
        var e = Assert.Throws<InvalidDataException>(() => ProxyCorrelation.Compute(rows, new Dictionary<string, double> { ["n1"] = 1 }, ["synflow"], 0));
        Assert.Contains("1 of 12 scored networks", e.Message);
    }
}
