namespace Research.Search.Proxies;

/// <summary>A network to score, by the name its row carries (a model's name, a sampled genotype's, a run candidate's).</summary>
public sealed record ProxyCandidate(string Name, NetworkSpec Spec)
{
    /// <summary>The network a latency budget is about, when it is not the one scored (a searched cell trained in another layout); null: <see cref="Spec"/>.</summary>
    public NetworkSpec? Deployed { get; init; }

    /// <summary>The genotype's one-line form for a cell network, else empty.</summary>
    public string Genotype => Spec.Cell?.ToString() ?? "";
}

/// <summary>One network's scores: a row of proxies.csv.</summary>
public sealed record ProxyRow(string Name, string Genotype, long Params, long Macs, IReadOnlyDictionary<string, double> Scores, double Seconds)
{
    /// <summary>A proxy's value for this network: params and MACs are counts, the others scores.</summary>
    public double Value(string proxy) => proxy switch
    {
        ZeroCostProxy.Params => Params,
        ZeroCostProxy.Macs => Macs,
        _ => Scores[proxy],
    };
}
