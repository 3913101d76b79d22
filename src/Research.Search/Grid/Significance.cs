using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace Research.Search.Grid;

/// <summary>Whether one candidate's accuracy beats another's beyond seed noise.</summary>
public sealed record Comparison(double MeanDifference, double TStatistic, double DegreesOfFreedom, double PValue, bool Significant, string Verdict);

public static class Significance
{
    /// <summary>
    /// Welch's one-sided t-test of "a's mean is higher than b's" from per-seed accuracies.
    /// With fewer than two seeds on either side there is no estimate of the noise, and the verdict says so.
    /// </summary>
    public static Comparison Welch(IReadOnlyList<double> a, IReadOnlyList<double> b, double alpha = 0.05)
    {
        double diff = a.Mean() - b.Mean();
        if (a.Count < 2 || b.Count < 2)
            return new(diff, double.NaN, double.NaN, double.NaN, false, "undetermined: needs at least 2 seeds per candidate (seeds, e.g. 1,2,3)");
        double va = a.Variance() / a.Count, vb = b.Variance() / b.Count;
        double se = Math.Sqrt(va + vb);
        if (se == 0)
            return new(diff, double.NaN, double.NaN, diff > 0 ? 0 : 1, diff > 0, diff > 0 ? "better on every seed with no spread" : "not better");
        double t = diff / se;
        double df = (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        double p = 1 - StudentT.CDF(0, 1, df, t);
        bool sig = p < alpha;
        return new(diff, t, df, p, sig, sig ? $"better beyond seed noise (p = {p:0.###})" : $"not distinguishable from seed noise (p = {p:0.###})");
    }
}
