namespace Research.Search.Proxies;

/// <summary>
/// NASWOT (Mellor et al., ICML 2021, "Neural Architecture Search without Training"), as its code computes it: batch norm
/// with the batch's statistics, one forward pass of the batch, and at every activation module the binary code c of its input
/// per image (c = input &gt; 0, flattened); K = Σ over those modules of c cᵀ + (1 − c)(1 − c)ᵀ (N × N, how many units two
/// images agree on); score = log|det K|. The reference hooks every module whose type name holds "ReLU" (ReLU, ReLU6);
/// SiLU and hard-swish have no zero threshold, and are coded the same way, at &gt; 0, where their sign changes. Activations
/// applied as functions inside a module (not as modules) are not seen, as in the reference.
/// </summary>
public static class Naswot
{
    public static double Score(Module<Tensor, Tensor> net, Tensor images)
    {
        ProxyNetwork.UseBatchStatistics(net);
        long n = images.size(0);
        var activations = ProxyNetwork.Activations(net);
        if (activations.Count == 0) throw new InvalidOperationException($"naswot: {net.GetName} has no ReLU, ReLU6, SiLU or hard-swish module to code");
        using var k = torch.zeros([n, n], ScalarType.Float64, images.device);
        var hooks = activations.Select(a => a.register_forward_hook((_, x, _) =>
        {
            using var scope = torch.NewDisposeScope();
            var c = x.detach().flatten(1).gt(0).to(ScalarType.Float64);
            var off = 1.0 - c;
            k.add_(c.matmul(c.t())).add_(off.matmul(off.t()));
        })).ToList();
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            net.call(images);
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
        return ProxyNetwork.LogAbsDeterminant(ProxyNetwork.ToMatrix(k));
    }
}
