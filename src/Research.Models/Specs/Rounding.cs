namespace Research.Models.Specs;

/// <summary>Channel and depth rounding shared by the reference implementations.</summary>
public static class Rounding
{
    /// <summary>
    /// The nearest multiple of divisor, at least divisor, and never below 90% of v
    /// (TensorFlow's make_divisible, EfficientNet's round_filters).
    /// </summary>
    public static int MakeDivisible(double v, int divisor = 8, int? minValue = null)
    {
        if (divisor < 1) throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "divisor must be >= 1");
        int min = minValue ?? divisor;
        int rounded = Math.Max(min, (int)(v + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * v) rounded += divisor;
        return rounded;
    }

    /// <summary>
    /// EfficientNet's round_repeats: ceil(repeats × depth multiplier), in plain double
    /// arithmetic as the references compute it (no tolerance, so counts match theirs).
    /// </summary>
    public static int RoundRepeats(int repeats, double depthMultiplier) => (int)Math.Ceiling(repeats * depthMultiplier);
}
