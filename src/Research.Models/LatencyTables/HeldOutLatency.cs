using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// A network the table was not fitted to, measured whole in the same interleaved rounds as the table's parts, against what the
/// table predicts for it: calibrated (each part's entry times its factor), with k alone, and the plain sum of parts. Measured in
/// the same rounds, a slow or fast spell of the machine falls on the parts and the network alike, so the error is the table's
/// and not the machine's drift between two measurements (this project's shared machines have modes up to 1.6x apart that
/// outlast a minute: measured in separate processes later, the same networks' passes differed by that much).
/// </summary>
public sealed record HeldOutLatency(NetworkLatency Network, double PredictedMs, double KOnlyMs)
{
    public static readonly string[] Columns =
        ["network", "spec_hash", "measured_ms", "predicted_ms", "k_only_ms", "parts_ms", "error", "error_k_only", "error_uncalibrated"];

    public double MeasuredMs => Network.MeasuredMs;
    /// <summary>|predicted − measured| / measured.</summary>
    public double Error => Relative(PredictedMs);
    public double KOnlyError => Relative(KOnlyMs);
    public double UncalibratedError => Relative(Network.PartsMs);

    private double Relative(double predicted) => Math.Abs(predicted - MeasuredMs) / MeasuredMs;

    /// <summary>Each network against <paramref name="table"/>'s factors (they are never fitted to these networks).</summary>
    public static List<HeldOutLatency> Compare(LatencyTable table, IEnumerable<NetworkLatency> networks) =>
        networks.Select(n => new HeldOutLatency(n, table.Factors.Predict(n), table.Factors.Median * n.PartsMs)).ToList();

    /// <summary>The q-quantile, linear between order statistics (numpy's default, and bench/latency_heldout.py's).</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) throw new ArgumentException("no values");
        double x = (v.Length - 1) * q;
        int lo = (int)x, hi = Math.Min(lo + 1, v.Length - 1);
        return v[lo] + (v[hi] - v[lo]) * (x - lo);
    }

    public string[] Row() =>
    [
        Network.Name, Network.SpecHash, Numbers.Fixed(MeasuredMs, 4), Numbers.Fixed(PredictedMs, 4), Numbers.Fixed(KOnlyMs, 4),
        Numbers.Fixed(Network.PartsMs, 4), Numbers.Fixed(Error, 4), Numbers.Fixed(KOnlyError, 4), Numbers.Fixed(UncalibratedError, 4),
    ];
}
