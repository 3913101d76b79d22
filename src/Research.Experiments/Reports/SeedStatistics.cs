using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace Research.Experiments.Reports;

/// <summary>An arm's accuracy over its seeds: mean, sample standard deviation and the half-width of the Student-t interval (NaN with one seed).</summary>
public sealed record SeedSummary(int Count, double Mean, double StdDev, double HalfWidth, double Confidence)
{
    public double Low => Mean - HalfWidth;
    public double High => Mean + HalfWidth;
    public bool HasInterval => Count >= 2;
}

/// <summary>Welch's two-sided t-test of a − b (unequal variances): the difference of means, t, the Welch–Satterthwaite degrees of freedom, p.</summary>
public sealed record WelchTest(double Difference, double T, double DegreesOfFreedom, double PValue);

/// <summary>The per-seed differences a − b over the seeds both arms ran (same seed: same data order): their summary and the paired t-test's p.</summary>
public sealed record PairedDifference(SeedSummary Differences, double T, double PValue);

/// <summary>
/// The statistics of several seeds: Student-t intervals per arm, Welch's t-test and Hedges' g between two
/// arms, and the paired differences where both ran the same seeds. Accuracy is in percentage points.
/// </summary>
public static class SeedStatistics
{
    /// <summary>Mean, standard deviation (n − 1) and the two-sided Student-t interval at <paramref name="confidence"/>.</summary>
    public static SeedSummary Summarise(IReadOnlyList<double> values, double confidence = 0.95)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarise", nameof(values));
        double mean = values.Mean();
        if (values.Count < 2) return new SeedSummary(1, mean, double.NaN, double.NaN, confidence);
        double sd = values.StandardDeviation();
        double t = StudentT.InvCDF(0, 1, values.Count - 1, 0.5 + confidence / 2);
        return new SeedSummary(values.Count, mean, sd, t * sd / Math.Sqrt(values.Count), confidence);
    }

    /// <summary>Welch's test of a − b; null when either side has fewer than two values (no estimate of the noise).</summary>
    public static WelchTest? Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2) return null;
        double diff = a.Mean() - b.Mean();
        double va = a.Variance() / a.Count, vb = b.Variance() / b.Count;
        if (va + vb == 0) return new WelchTest(diff, diff == 0 ? 0 : Math.Sign(diff) * double.PositiveInfinity, double.NaN, diff == 0 ? 1 : 0);
        double t = diff / Math.Sqrt(va + vb);
        double df = (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return new WelchTest(diff, t, df, TwoSidedP(t, df));
    }

    /// <summary>Hedges' g: Cohen's d (the difference over the pooled standard deviation) times the small-sample correction 1 − 3/(4(n_a + n_b) − 9).</summary>
    public static double HedgesG(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2) return double.NaN;
        int df = a.Count + b.Count - 2;
        double pooled = Math.Sqrt(((a.Count - 1) * a.Variance() + (b.Count - 1) * b.Variance()) / df);
        return (a.Mean() - b.Mean()) / pooled * (1 - 3.0 / (4.0 * (a.Count + b.Count) - 9));
    }

    /// <summary>The paired differences over the seeds both arms ran; null when they share fewer than two.</summary>
    public static PairedDifference? Paired(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b, double confidence = 0.95)
    {
        var d = a.Keys.Where(b.ContainsKey).Order().Select(s => a[s] - b[s]).ToList();
        if (d.Count < 2) return null;
        var s = Summarise(d, confidence);
        if (s.StdDev == 0) return new PairedDifference(s, s.Mean == 0 ? 0 : Math.Sign(s.Mean) * double.PositiveInfinity, s.Mean == 0 ? 1 : 0);
        double t = s.Mean / (s.StdDev / Math.Sqrt(d.Count));
        return new PairedDifference(s, t, TwoSidedP(t, d.Count - 1));
    }

    private static double TwoSidedP(double t, double df) => 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
}
