using MathNet.Numerics.Statistics;

namespace Research.Search.Proxies;

/// <summary>
/// Rank correlations between a score and an outcome: Spearman's ρ (MathNet: Pearson's r of the ranks, ties at their
/// average rank) and Kendall's τ-b, which MathNet lacks, and a percentile bootstrap interval for either.
/// </summary>
public static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        return Correlation.Spearman(x, y);
    }

    /// <summary>
    /// Kendall's τ-b: Σ over pairs i &lt; j of sign(xᵢ − xⱼ)·sign(yᵢ − yⱼ) divided by √((n₀ − n₁)(n₀ − n₂)), with n₀ = n(n − 1)/2
    /// and n₁, n₂ the pairs tied in x and in y (scipy.stats.kendalltau's default). NaN when either side is constant.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        long sum = 0, tiedX = 0, tiedY = 0;
        int n = x.Count;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiedX++;
                if (sy == 0) tiedY++;
                sum += sx * sy;
            }
        long pairs = (long)n * (n - 1) / 2;
        double denominator = Math.Sqrt((double)(pairs - tiedX) * (pairs - tiedY));
        return denominator == 0 ? double.NaN : sum / denominator;
    }

    /// <summary>
    /// The 2.5th and 97.5th percentiles (numpy's linear interpolation) of <paramref name="statistic"/> over
    /// <paramref name="resamples"/> resamples of the pairs with replacement, drawn by <paramref name="seed"/>; resamples on which
    /// the statistic is undefined (e.g. all ties) are left out. NaN when none is defined.
    /// </summary>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Func<IReadOnlyList<double>, IReadOnlyList<double>, double> statistic, int resamples, int seed)
    {
        Check(x, y);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "at least one resample");
        var rng = new Random(seed);
        int n = x.Count;
        var values = new List<double>(resamples);
        var bx = new double[n];
        var by = new double[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i++)
            {
                int k = rng.Next(n);
                (bx[i], by[i]) = (x[k], y[k]);
            }
            double v = statistic(bx, by);
            if (double.IsFinite(v)) values.Add(v);
        }
        if (values.Count == 0) return (double.NaN, double.NaN);
        var sorted = values.Order().ToArray();
        return (SortedArrayStatistics.QuantileCustom(sorted, 0.025, QuantileDefinition.R7),
            SortedArrayStatistics.QuantileCustom(sorted, 0.975, QuantileDefinition.R7));
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} scores against {y.Count} outcomes");
        if (x.Count < 2) throw new ArgumentException($"a rank correlation needs at least two pairs, not {x.Count}");
    }
}
