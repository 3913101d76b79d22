using Research.Core.Text;

namespace Research.Experiments.Config;

/// <summary>
/// How stages.report.compare names the train stage's arms: <c>phiN</c> is the family member at φ N,
/// anything else a baseline by its model as written in <c>baselines</c>, with <c>-wW</c> when it sets
/// a width_mult other than 1 (the name its row gets for a registered model, e.g. mobilenet_v2-w0.25).
/// </summary>
public static class ArmNames
{
    public static string Member(double phi) => "phi" + Numbers.RoundTrip(phi);

    public static string Baseline(string model, double? widthMult) =>
        model + (widthMult is { } wm && wm != 1.0 ? "-w" + Numbers.RoundTrip(wm) : "");

    /// <summary>Whether <paramref name="arm"/> is <c>phiN</c>, and its φ.</summary>
    public static bool IsMember(string arm, out double phi)
    {
        phi = double.NaN;
        return arm.StartsWith("phi", StringComparison.Ordinal) &&
               double.TryParse(arm.AsSpan(3), NumberStyles.Float, CultureInfo.InvariantCulture, out phi) && double.IsFinite(phi);
    }
}
