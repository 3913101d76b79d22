namespace Research.Search.Proxies;

/// <summary>
/// SynFlow (Tanaka et al., NeurIPS 2020), as zero-cost-nas computes it (its <c>synflow</c> measure, bn=False): batch norm
/// removed, dropout and drop-connect off (eval mode), every parameter and buffer replaced by its absolute value, the network in
/// float64, one all-ones input of the image shape; R = the sum of the logits; score = Σ over every convolution and linear
/// weight of |W ⊙ ∂R/∂W|. No data and no labels. The network is changed (absolute values, float64): score a fresh one.
/// </summary>
public static class Synflow
{
    /// <param name="image">the input's [channels, height, width]</param>
    public static double Score(Module<Tensor, Tensor> net, long[] image)
    {
        if (image.Length != 3) throw new ArgumentException($"synflow: the image shape is [C, H, W], not [{string.Join(", ", image)}]");
        net.eval();
        net.to(ScalarType.Float64);
        using (torch.no_grad())
            foreach (var t in net.parameters().Cast<Tensor>().Concat(net.buffers()).Where(t => t.dtype.IsFloatingPoint()))
                using (var a = t.abs())
                    t.copy_(a);
        var hooks = ProxyNetwork.WithoutBatchNorm(net);
        try
        {
            using var scope = torch.NewDisposeScope();
            var weights = ProxyNetwork.WeightedLayers(net).Select(ProxyNetwork.WeightOf).ToList();
            var device = weights.Count > 0 ? weights[0].device : Device.CPU;
            var r = net.call(torch.ones([1, .. image], ScalarType.Float64, device)).sum();
            var grads = torch.autograd.grad([r], weights, allow_unused: true);
            double score = 0;
            for (int i = 0; i < weights.Count; i++)
                if (grads[i] is { } g) score += (weights[i] * g).abs().sum().item<double>();
            return score;
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
    }
}
