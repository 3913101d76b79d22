using MathNet.Numerics.LinearAlgebra;

namespace Research.Search.Grid;

/// <summary>
/// A quadratic model of accuracy over (α, β, γ), fitted by least squares (MathNet), and its best
/// point on the constraint α·β²·γ² = target with α, β, γ ≥ 1.
/// </summary>
public sealed class ResponseSurface
{
    private readonly Vector<double> _w;

    private ResponseSurface(Vector<double> w) => _w = w;

    public const int Terms = 10;

    private static double[] Features(Coefficients c) =>
        [1, c.Alpha, c.Beta, c.Gamma, c.Alpha * c.Alpha, c.Beta * c.Beta, c.Gamma * c.Gamma, c.Alpha * c.Beta, c.Alpha * c.Gamma, c.Beta * c.Gamma];

    /// <summary>Needs at least 10 points (one per term of the quadratic).</summary>
    public static ResponseSurface Fit(IReadOnlyList<(Coefficients c, double accuracy)> points)
    {
        if (points.Count < Terms) throw new ArgumentException($"a quadratic response surface needs at least {Terms} evaluated candidates, got {points.Count}");
        var x = Matrix<double>.Build.DenseOfRowArrays(points.Select(p => Features(p.c)));
        var y = Vector<double>.Build.DenseOfEnumerable(points.Select(p => p.accuracy));
        // Candidates all lie near the constraint surface, so the design is ill-conditioned: SVD gives the
        // least-squares fit (minimum norm where directions are undetermined) without squaring the condition number.
        return new ResponseSurface(x.Svd(computeVectors: true).Solve(y));
    }

    public double Predict(Coefficients c) => Vector<double>.Build.DenseOfArray(Features(c)).DotProduct(_w);

    /// <summary>The best predicted point on the constraint, searched over (β, γ) with α = target/(β²γ²) ≥ 1.</summary>
    public Coefficients ConstrainedOptimum(double target = 2.0, double resolution = 0.005)
    {
        double limit = Math.Sqrt(target);
        Coefficients best = new(target, 1, 1);
        double bestValue = double.NegativeInfinity;
        for (double b = 1; b <= limit; b += resolution)
            for (double g = 1; g <= limit; g += resolution)
            {
                double a = target / (b * b * g * g);
                if (a < 1) continue;
                var c = new Coefficients(a, b, g);
                double v = Predict(c);
                if (v > bestValue)
                {
                    bestValue = v;
                    best = c;
                }
            }
        return best;
    }
}
