using System.Globalization;

namespace Research.Search.Grid;

/// <summary>Compound-scaling coefficients: depth α, width β, resolution γ.</summary>
public readonly record struct Coefficients(double Alpha, double Beta, double Gamma)
{
    /// <summary>α·β²·γ²: how much φ = 1 multiplies the FLOPs.</summary>
    public double Constraint => Alpha * Beta * Beta * Gamma * Gamma;

    /// <summary>A folder-safe key, e.g. a1.20_b1.10_g1.15.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"a{Alpha:F2}_b{Beta:F2}_g{Gamma:F2}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"α={Alpha:0.###} β={Beta:0.###} γ={Gamma:0.###}");
}

public static class CoefficientGrid
{
    /// <summary>
    /// Every (α, β, γ) ≥ 1 on a grid of the given step with |α·β²·γ² − target| ≤ tolerance, in a
    /// fixed order (α, then β, then γ ascending).
    /// </summary>
    public static IReadOnlyList<Coefficients> Candidates(double step = 0.05, double tolerance = 0.05, double target = 2.0)
    {
        if (!(step > 0) || step > 1) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be in (0, 1]");
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be >= 0");
        if (!(target > 1)) throw new ArgumentOutOfRangeException(nameof(target), target, "the FLOPs target must be > 1");
        var list = new List<Coefficients>();
        int maxA = (int)Math.Floor((target + tolerance - 1) / step + 1e-9);
        int maxBG = (int)Math.Floor((Math.Sqrt(target + tolerance) - 1) / step + 1e-9);
        for (int i = 0; i <= maxA; i++)
            for (int j = 0; j <= maxBG; j++)
                for (int k = 0; k <= maxBG; k++)
                {
                    var c = new Coefficients(Math.Round(1 + i * step, 10), Math.Round(1 + j * step, 10), Math.Round(1 + k * step, 10));
                    if (Math.Abs(c.Constraint - target) <= tolerance + 1e-12) list.Add(c);
                }
        return list;
    }
}
