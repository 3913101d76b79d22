using System.Globalization;
using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// How a table turns a network's parts into its predicted latency, fitted to the networks it measured whole. A whole network
/// runs slower than its parts alone (caches, allocations, per-call overheads between parts): k, the median over those networks
/// of measured / sum of parts, scales every part. A cell op can stray from k: a max pool's time depends on its input's values
/// (pooling maps that were pooled before is slower than pooling the random probe input), and a skip costs a call alone but next
/// to nothing inside a network, so networks made mostly of one op came out 20–35% off with k alone. When the measured networks
/// carry their cell ops' shares of the parts and are enough to tell the ops apart, each cell op gets a factor of its own:
/// measured ≈ f_rest · (parts that are not cell ops) + Σ_op f_op · (that op's parts), fitted by least squares on relative
/// errors with every factor ≥ 0 (a factor the unconstrained fit makes negative is set to 0 and the others fitted again).
/// Otherwise every part takes k.
/// </summary>
public sealed class LatencyCalibration
{
    private LatencyCalibration(double median, int networks, double rest, IReadOnlyDictionary<string, double> ops, string? notFitted) =>
        (Median, Networks, Rest, Ops, NotFitted) = (median, networks, rest, ops, notFitted);

    /// <summary>k: the median of measured / sum of parts over the measured networks (1 without any).</summary>
    public double Median { get; }
    /// <summary>How many networks were measured whole.</summary>
    public int Networks { get; }
    /// <summary>The factor of every part without one of its own: f_rest when fitted per op, otherwise k.</summary>
    public double Rest { get; }
    /// <summary>The fitted factor of each cell op's parts, by op definition (empty when not fitted per op).</summary>
    public IReadOnlyDictionary<string, double> Ops { get; }
    /// <summary>Why the factors are not fitted per op although the networks carry cell ops (null otherwise).</summary>
    public string? NotFitted { get; }
    public bool PerOp => Ops.Count > 0;

    /// <summary>The factor of a part of this group: a cell op's definition, or "" for a part that is not a cell op.</summary>
    public double Factor(string group) => group.Length > 0 && Ops.TryGetValue(group, out var f) ? f : Rest;

    /// <summary>
    /// A measured network's prediction from its sum of parts and its cell ops' shares (what <see cref="LatencyTable.Predict(IEnumerable{LatencyPartCount})"/>
    /// gives for its parts): the parts that are not cell ops times <see cref="Rest"/>, each op's share times its factor.
    /// </summary>
    public double Predict(NetworkLatency n) => Rest * Math.Max(0, n.PartsMs - n.Ops.Values.Sum()) + n.Ops.Sum(o => Factor(o.Key) * o.Value);

    public static LatencyCalibration Fit(IReadOnlyList<NetworkLatency> networks)
    {
        if (networks.Count == 0) return new LatencyCalibration(1, 0, 1, new Dictionary<string, double>(), null);
        var ratios = networks.Select(n => n.Ratio).Order().ToArray();
        double k = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[ratios.Length / 2 - 1] + ratios[ratios.Length / 2]) / 2;
        var ops = networks.SelectMany(n => n.Ops.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        LatencyCalibration Plain(string? why) => new(k, networks.Count, k, new Dictionary<string, double>(), why);
        if (ops.Count == 0) return Plain(null);
        int unknowns = ops.Count + 1;
        // One degree of freedom left over at least, or the fit only reproduces its networks.
        if (networks.Count <= unknowns)
            return Plain($"{networks.Count} measured network(s) for {unknowns} factors (the rest and {ops.Count} cell op(s)): at least {unknowns + 1} are needed");
        // Row i, divided by the network's measured time so that every network's relative error counts alike; target 1.
        var a = new double[networks.Count, unknowns];
        for (int i = 0; i < networks.Count; i++)
        {
            var n = networks[i];
            double opsMs = n.Ops.Values.Sum();
            a[i, 0] = Math.Max(0, n.PartsMs - opsMs) / n.MeasuredMs;
            for (int j = 0; j < ops.Count; j++) a[i, j + 1] = n.Ops.GetValueOrDefault(ops[j]) / n.MeasuredMs;
        }
        var free = Enumerable.Range(0, unknowns).ToList();
        while (true)
        {
            var solved = LeastSquaresToOnes(a, free);
            if (solved is null)
                return Plain("the measured networks do not tell the cell ops apart (each op's share of the parts is proportional to another's): measure one-op networks whole");
            int worst = -1;
            for (int j = 0; j < free.Count; j++)
                if (solved[j] < 0 && (worst < 0 || solved[j] < solved[worst])) worst = j;
            if (worst < 0)
            {
                var f = new double[unknowns];
                for (int j = 0; j < free.Count; j++) f[free[j]] = solved[j];
                if (f[0] <= 0) return Plain("the fit gives the parts that are not cell ops no time");
                return new LatencyCalibration(k, networks.Count, f[0], ops.Select((o, j) => (o, f[j + 1])).ToDictionary(p => p.o, p => p.Item2, StringComparer.Ordinal), null);
            }
            free.RemoveAt(worst);
            if (free.Count == 0) return Plain("no factor of the fit is positive");
        }
    }

    /// <summary>
    /// The least-squares solution of A[:, free]·x ≈ 1 through the normal equations of unit-norm columns (Gaussian elimination with
    /// partial pivoting; a handful of unknowns), or null when the columns are (nearly) dependent.
    /// </summary>
    private static double[]? LeastSquaresToOnes(double[,] a, List<int> free)
    {
        int rows = a.GetLength(0), m = free.Count;
        var scale = new double[m];
        for (int j = 0; j < m; j++)
        {
            double s = 0;
            for (int i = 0; i < rows; i++) s += a[i, free[j]] * a[i, free[j]];
            scale[j] = Math.Sqrt(s);
            if (scale[j] == 0) return null;
        }
        var g = new double[m, m + 1];
        for (int p = 0; p < m; p++)
        {
            for (int q = 0; q < m; q++)
            {
                double s = 0;
                for (int i = 0; i < rows; i++) s += a[i, free[p]] * a[i, free[q]];
                g[p, q] = s / (scale[p] * scale[q]);
            }
            double r = 0;
            for (int i = 0; i < rows; i++) r += a[i, free[p]];
            g[p, m] = r / scale[p];
        }
        for (int c = 0; c < m; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < m; r++)
                if (Math.Abs(g[r, c]) > Math.Abs(g[pivot, c])) pivot = r;
            // The Gram matrix of unit columns has a unit diagonal: a pivot this small means dependent columns.
            if (Math.Abs(g[pivot, c]) < 1e-10) return null;
            if (pivot != c)
                for (int q = 0; q <= m; q++) (g[c, q], g[pivot, q]) = (g[pivot, q], g[c, q]);
            for (int r = c + 1; r < m; r++)
            {
                double f = g[r, c] / g[c, c];
                for (int q = c; q <= m; q++) g[r, q] -= f * g[c, q];
            }
        }
        var x = new double[m];
        for (int c = m - 1; c >= 0; c--)
        {
            double s = g[c, m];
            for (int q = c + 1; q < m; q++) s -= g[c, q] * x[q];
            x[c] = s / g[c, c];
        }
        for (int j = 0; j < m; j++) x[j] /= scale[j];
        return x;
    }

    /// <summary>What the factors are and where they come from, for the table's header line and `models show`.</summary>
    public override string ToString()
    {
        if (Networks == 0) return "1 (no whole network measured: predictions are the plain sum of parts)";
        string median = $"{Numbers.RoundTrip(Median)} (median over {Networks} measured network(s) of measured / sum of parts; predicted = sum of parts x calibration)";
        if (!PerOp) return NotFitted is null ? median : $"{median}; not fitted per cell op: {NotFitted}";
        var ops = string.Join(", ", Ops.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {Numbers.Fixed(o.Value, 4)}")));
        return $"{Numbers.RoundTrip(Rest)} for parts that are not cell ops, per cell op: {ops} (least squares on relative error over {Networks} measured network(s); " +
               $"predicted = sum over parts of entry x its factor; median of measured / sum of parts {Numbers.Fixed(Median, 4)})";
    }
}
