using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class LossTests
{
    private static readonly double[,] Logits = { { 1, 2, 3 }, { 1, 0, -1 } };
    private static readonly long[] Targets = [2, 1];

    /// <summary>-log softmax(row)[c], by hand.</summary>
    private static double NegLogP(int row, int c)
    {
        double lse = Math.Log(Enumerable.Range(0, 3).Sum(j => Math.Exp(Logits[row, j])));
        return lse - Logits[row, c];
    }

    [Fact]
    public void CrossEntropyIsMeanNegativeLogLikelihood()
    {
        using var x = torch.tensor(Logits);
        using var y = torch.tensor(Targets);
        double l0 = NegLogP(0, 2), l1 = NegLogP(1, 1);
        Check.Close(0.4076059644443806, l0, 1e-12); // the well-known value for logits (1, 2, 3)
        using (var l = F.cross_entropy(x, y)) Check.Close((l0 + l1) / 2, l.item<double>(), 1e-12);
        using (var l = F.cross_entropy(x, y, reduction: Reduction.Sum)) Check.Close(l0 + l1, l.item<double>(), 1e-12);
        using (var l = F.cross_entropy(x, y, reduction: Reduction.None)) Check.Close([l0, l1], l, [2], atol: 1e-12);
    }

    [Fact]
    public void CrossEntropyWithLabelSmoothing()
    {
        // With smoothing e over C classes: loss = (1 - e) * nll(target) + e / C * sum_c nll(c).
        const double e = 0.1;
        using var x = torch.tensor(Logits);
        using var y = torch.tensor(Targets);
        double Row(int r, int t) => (1 - e) * NegLogP(r, t) + e / 3 * Enumerable.Range(0, 3).Sum(c => NegLogP(r, c));
        double r0 = Row(0, 2), r1 = Row(1, 1);
        Check.Close(0.5076059644443806, r0, 1e-12); // 0.9·0.40761 + 0.1/3·4.22282
        using (var l = F.cross_entropy(x, y, label_smoothing: e)) Check.Close((r0 + r1) / 2, l.item<double>(), 1e-12);
        using (var l = F.cross_entropy(x, y, reduction: Reduction.None, label_smoothing: e)) Check.Close([r0, r1], l, [2], atol: 1e-12);
        using (var l = F.cross_entropy(x, y, label_smoothing: 1.0))
            Check.Close((Enumerable.Range(0, 3).Sum(c => NegLogP(0, c) + NegLogP(1, c))) / 6, l.item<double>(), 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.cross_entropy(x, y, label_smoothing: 1.5));
    }

    [Fact]
    public void CrossEntropyWithClassWeightsAndIgnoreIndex()
    {
        using var x = torch.tensor(Logits);
        using var w = torch.tensor(new double[] { 1, 2, 3 });
        using var y = torch.tensor(Targets);
        double l0 = NegLogP(0, 2), l1 = NegLogP(1, 1);
        // Weighted mean divides by the sum of the targets' weights.
        using (var l = F.cross_entropy(x, y, w)) Check.Close((3 * l0 + 2 * l1) / 5, l.item<double>(), 1e-12);

        using var yi = torch.tensor(new long[] { 2, -100 });
        using (var l = F.cross_entropy(x, yi)) Check.Close(l0, l.item<double>(), 1e-12);
    }

    [Fact]
    public void CrossEntropyRejectsOutOfRangeTargets()
    {
        using var x = torch.tensor(Logits);
        using var y = torch.tensor(new long[] { 0, 3 });
        Assert.Throws<TorchException>(() => F.cross_entropy(x, y));
    }

    [Fact]
    public void NllLossPicksTheTargetLogProbabilities()
    {
        using var lp = torch.tensor(new double[,] { { -1, -2, -3 }, { -0.5, -1.5, -2.5 } });
        using var y = torch.tensor(new long[] { 0, 2 });
        using (var l = F.nll_loss(lp, y)) Check.Close(1.75, l.item<double>(), 1e-12);
        using (var l = F.nll_loss(lp, y, reduction: Reduction.Sum)) Check.Close(3.5, l.item<double>(), 1e-12);
        using (var l = F.nll_loss(lp, y, reduction: Reduction.None)) Check.Close([1, 2.5], l, [2]);
        using var w = torch.tensor(new double[] { 1, 2, 3 });
        using (var l = F.nll_loss(lp, y, w)) Check.Close((1 * 1 + 3 * 2.5) / 4, l.item<double>(), 1e-12);

        // cross_entropy == nll_loss(log_softmax)
        using var x = torch.tensor(Logits);
        using var t = torch.tensor(Targets);
        using var ls = F.log_softmax(x, 1);
        using var a = F.nll_loss(ls, t);
        using var b = F.cross_entropy(x, t);
        Check.Close(b.item<double>(), a.item<double>(), 1e-12);
    }

    [Fact]
    public void MseLoss()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 });
        using var b = torch.tensor(new float[] { 1, 0, 3, 7 });
        using (var l = F.mse_loss(a, b)) Check.Close((4 + 9) / 4.0, l.item<double>());
        using (var l = F.mse_loss(a, b, Reduction.Sum)) Check.Close(13, l.item<double>());
        using (var l = F.mse_loss(a, b, Reduction.None)) Check.Close([0, 4, 0, 9], l);
    }

    [Fact]
    public void OneHot()
    {
        using var i = torch.tensor(new long[] { 2, 0 });
        using var o = F.one_hot(i, 3);
        Check.Longs([0, 0, 1, 1, 0, 0], o, [2, 3]);
    }
}
