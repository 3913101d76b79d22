namespace Research.Search.Proxies;

/// <summary>
/// The zero-cost proxies by name: scores of an untrained network from one batch (or none), as the
/// papers and SamsungLabs/zero-cost-nas define them, with parameter and MAC counts as the baselines
/// a proxy has to beat (ZiCo, ICLR 2023; the ICLR 2022 blog on zero-cost proxies). Higher is
/// taken as better for every one of them, as their authors rank.
/// </summary>
public static class ZeroCostProxy
{
    public const string Synflow = "synflow";
    public const string Naswot = "naswot";
    public const string Snip = "snip";
    public const string GradNorm = "grad_norm";
    public const string Fisher = "fisher";
    public const string JacobCov = "jacob_cov";
    public const string Params = "params";
    public const string Macs = "macs";

    public static readonly string[] Names = [Synflow, Naswot, Snip, GradNorm, Fisher, JacobCov, Params, Macs];

    /// <summary>The proxies that need a loss, so labels with the batch.</summary>
    public static bool NeedsLabels(string name) => name is Snip or GradNorm or Fisher;

    /// <summary>The proxies computed from a batch of images (synflow takes an all-ones input; params and MACs are counted).</summary>
    public static bool NeedsBatch(string name) => name is Naswot or Snip or GradNorm or Fisher or JacobCov;

    /// <summary>A comma-separated list of proxy names, each known and given once; an unknown name is an error naming it and the known ones.</summary>
    public static IReadOnlyList<string> ParseList(string text, string option)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new ArgumentException($"{option} '{text}': name at least one proxy ({string.Join(", ", Names)})");
        foreach (var n in names)
            if (!Names.Contains(n)) throw new ArgumentException($"{option}: unknown proxy '{n}' (known: {string.Join(", ", Names)})");
        if (names.Distinct().Count() != names.Length) throw new ArgumentException($"{option} '{text}': a proxy is named twice");
        return names;
    }
}
