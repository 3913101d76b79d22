namespace Research.Search.Proxies;

/// <summary>
/// SNIP (Lee et al., ICLR 2019) as zero-cost-nas computes it (<c>snip</c>: a mask of ones on every convolution and linear
/// weight, whose gradient is W ⊙ ∂L/∂W): score = Σ over those weights of |W ⊙ ∂L/∂W|, L the mean cross-entropy of the
/// batch with batch norm on the batch's statistics.
/// </summary>
public static class Snip
{
    public static double Score(Module<Tensor, Tensor> net, ProxyBatch batch) =>
        ProxyNetwork.SumOverLossGradients(net, batch, (w, g) => (w * g).abs().sum().item<double>());
}
