namespace Research.Search.Proxies;

/// <summary>
/// grad_norm as zero-cost-nas computes it: score = Σ over every convolution and linear layer of ‖∂L/∂W‖₂ (the Euclidean
/// norm of the layer's whole weight gradient), L the mean cross-entropy of the batch with batch norm on the batch's statistics.
/// </summary>
public static class GradNorm
{
    public static double Score(Module<Tensor, Tensor> net, ProxyBatch batch) =>
        ProxyNetwork.SumOverLossGradients(net, batch, (_, g) => g.norm().item<double>());
}
