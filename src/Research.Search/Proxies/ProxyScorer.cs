using Research.Models.Cost;

namespace Research.Search.Proxies;

/// <summary>
/// Scores one network with the named proxies. <paramref name="build"/> gives a fresh copy of the network each time (the
/// same initialisation or weights), since synflow changes its weights and batch norm in training mode its statistics:
/// every proxy sees the network as it was given. Params and MACs are counted from the spec (the cost model).
/// </summary>
public static class ProxyScorer
{
    public static Dictionary<string, double> Score(NetworkSpec spec, Func<Module<Tensor, Tensor>> build, ProxyBatch? batch, IReadOnlyList<string> proxies)
    {
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        NetworkCost? cost = null;
        foreach (var name in proxies)
        {
            if (ZeroCostProxy.NeedsBatch(name) && batch is null) throw new ArgumentException($"{name} needs a batch of images");
            if (ZeroCostProxy.NeedsLabels(name) && batch?.Labels is null)
                throw new ArgumentException($"{name} needs labels with the batch (a loss): give --labels with --input, or take the batch from --dataset");
            if (name is ZeroCostProxy.Params or ZeroCostProxy.Macs)
            {
                cost ??= CostModel.Estimate(spec);
                scores[name] = name == ZeroCostProxy.Params ? cost.Params : cost.Macs;
                continue;
            }
            using var net = build();
            scores[name] = name switch
            {
                ZeroCostProxy.Synflow => Synflow.Score(net, [spec.InChannels, spec.Resolution, spec.Resolution]),
                ZeroCostProxy.Naswot => Naswot.Score(net, batch!.Images),
                ZeroCostProxy.Snip => Snip.Score(net, batch!),
                ZeroCostProxy.GradNorm => GradNorm.Score(net, batch!),
                ZeroCostProxy.Fisher => Fisher.Score(net, batch!),
                ZeroCostProxy.JacobCov => JacobCov.Score(net, batch!.Images),
                _ => throw new ArgumentException($"unknown proxy '{name}' (known: {string.Join(", ", ZeroCostProxy.Names)})"),
            };
        }
        return scores;
    }
}
