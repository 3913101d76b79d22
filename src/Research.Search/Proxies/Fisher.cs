namespace Research.Search.Proxies;

/// <summary>
/// Fisher (Theis et al. 2018; Turner et al., ICLR 2020) as zero-cost-nas computes it (<c>fisher</c>, per channel): for every
/// convolution and linear layer with output a (bias included) and g = ∂L/∂a, per output channel k
/// F_k = ½ · mean over images n of (Σ over positions of a·g)²; the reference spreads F_k over the k-th filter's
/// weights before summing, so score = Σ over layers of (weights per filter) · Σ_k F_k. L is the mean cross-entropy of the
/// batch with batch norm on the batch's statistics.
/// </summary>
public static class Fisher
{
    public static double Score(Module<Tensor, Tensor> net, ProxyBatch batch)
    {
        var labels = batch.Labels ?? throw new ArgumentException($"fisher: the batch from {batch.Source} has no labels, which a loss needs");
        ProxyNetwork.UseBatchStatistics(net);
        using var scope = torch.NewDisposeScope();
        var layers = ProxyNetwork.WeightedLayers(net);
        var outputs = new Tensor?[layers.Count];
        var hooks = layers.Select((layer, i) => layer.register_forward_hook((_, _, y) => { outputs[i] = y; })).ToList();
        Tensor logits;
        try
        {
            logits = net.call(batch.Images);
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
        var reached = Enumerable.Range(0, layers.Count).Where(i => outputs[i] is not null).ToList();
        var loss = torch.nn.functional.cross_entropy(logits, labels);
        var grads = torch.autograd.grad([loss], reached.Select(i => outputs[i]!).ToList(), allow_unused: true);
        double score = 0;
        for (int j = 0; j < reached.Count; j++)
        {
            if (grads[j] is not { } g) continue;
            var a = outputs[reached[j]]!.detach();
            var w = ProxyNetwork.WeightOf(layers[reached[j]]);
            var perChannel = a.dim() > 2 ? (a * g).sum([2L, 3L]) : a * g;
            double perFilter = (double)w.numel() / w.size(0);
            score += perFilter * perChannel.pow(2).mean([0L]).mul(0.5).sum().item<double>();
        }
        return score;
    }
}
