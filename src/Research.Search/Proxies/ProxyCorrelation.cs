using Research.Core.Csv;

namespace Research.Search.Proxies;

/// <summary>
/// How well one proxy ranks networks by trained accuracy: Spearman's ρ and Kendall's τ-b with percentile bootstrap 95%
/// intervals, and the paired bootstrap interval of ρ(proxy) − ρ(params) (does it beat counting parameters?).
/// </summary>
public sealed record ProxyCorrelationRow(string Proxy, int Count, double Spearman, double SpearmanLow, double SpearmanHigh, double Kendall, double KendallLow,
    double KendallHigh, double VersusParams, double VersusParamsLow, double VersusParamsHigh)
{
    /// <summary>ρ above params' with the whole paired interval above zero.</summary>
    public bool BeatsParams => VersusParamsLow > 0;
}

public static class ProxyCorrelation
{
    public const int Resamples = 1000;

    /// <summary>Every proxy column against the accuracies of the networks both name; non-finite scores are left out of that proxy's figures.</summary>
    public static List<ProxyCorrelationRow> Compute(IReadOnlyList<ProxyRow> rows, IReadOnlyDictionary<string, double> accuracies, IReadOnlyList<string> proxies,
        int seed)
    {
        var matched = rows.Where(r => accuracies.ContainsKey(r.Name)).ToList();
        if (matched.Count < 3)
            throw new InvalidDataException($"{matched.Count} of {rows.Count} scored networks have an accuracy to compare with (names must match; at least 3 are needed)");
        var result = new List<ProxyCorrelationRow>();
        foreach (var p in proxies)
        {
            var usable = matched.Where(r => double.IsFinite(r.Value(p))).ToList();
            if (usable.Count < 3)
            {
                result.Add(new ProxyCorrelationRow(p, usable.Count, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN));
                continue;
            }
            var x = usable.Select(r => r.Value(p)).ToArray();
            var y = usable.Select(r => accuracies[r.Name]).ToArray();
            var parameters = usable.Select(r => (double)r.Params).ToArray();
            var (sl, sh) = RankCorrelation.BootstrapInterval(x, y, RankCorrelation.Spearman, Resamples, seed);
            var (kl, kh) = RankCorrelation.BootstrapInterval(x, y, RankCorrelation.KendallTauB, Resamples, seed);
            // The same resamples for the proxy and params: the difference's interval, not two overlapping ones.
            var index = Enumerable.Range(0, usable.Count).Select(i => (double)i).ToArray();
            double Difference(IReadOnlyList<double> ix, IReadOnlyList<double> _)
            {
                var take = ix.Select(i => (int)i).ToArray();
                return RankCorrelation.Spearman(take.Select(i => x[i]).ToArray(), take.Select(i => y[i]).ToArray()) -
                       RankCorrelation.Spearman(take.Select(i => parameters[i]).ToArray(), take.Select(i => y[i]).ToArray());
            }
            var (dl, dh) = RankCorrelation.BootstrapInterval(index, index, Difference, Resamples, seed);
            double rho = RankCorrelation.Spearman(x, y);
            result.Add(new ProxyCorrelationRow(p, usable.Count, rho, sl, sh, RankCorrelation.KendallTauB(x, y), kl, kh,
                rho - RankCorrelation.Spearman(parameters, y), dl, dh));
        }
        return result;
    }

    public static readonly string[] Columns =
        ["proxy", "n", "spearman", "spearman_low", "spearman_high", "kendall_tau_b", "kendall_low", "kendall_high", "vs_params", "vs_params_low", "vs_params_high"];

    public static void Write(string path, IEnumerable<ProxyCorrelationRow> rows) =>
        CsvTable.Write(path, Columns, rows.Select(r => new[]
        {
            r.Proxy, Numbers.Integer(r.Count), Numbers.RoundTrip(r.Spearman), Numbers.RoundTrip(r.SpearmanLow), Numbers.RoundTrip(r.SpearmanHigh),
            Numbers.RoundTrip(r.Kendall), Numbers.RoundTrip(r.KendallLow), Numbers.RoundTrip(r.KendallHigh), Numbers.RoundTrip(r.VersusParams),
            Numbers.RoundTrip(r.VersusParamsLow), Numbers.RoundTrip(r.VersusParamsHigh),
        }));
}
