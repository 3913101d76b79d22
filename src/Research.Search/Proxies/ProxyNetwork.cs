using MathNet.Numerics.LinearAlgebra;

namespace Research.Search.Proxies;

/// <summary>
/// What the proxies need of a network, found by walking its modules (so every block kind is
/// covered without knowing it): the convolution and linear layers whose weights are scored
/// (zero-cost-nas scores nn.Conv2d and nn.Linear), the activation modules NASWOT reads, the
/// mode the batch proxies run in, batch norm taken out for synflow, and a loss's gradients.
/// </summary>
internal static class ProxyNetwork
{
    /// <summary>Every convolution and linear layer, in module order.</summary>
    public static List<Module<Tensor, Tensor>> WeightedLayers(Module net) =>
        net.named_modules().Select(m => m.module).Where(m => m is Conv2d or Linear).Cast<Module<Tensor, Tensor>>().ToList();

    public static Parameter WeightOf(Module<Tensor, Tensor> layer) => layer switch
    {
        Conv2d c => c.weight,
        Linear l => l.weight,
        _ => throw new ArgumentException($"{layer.GetName} is not a convolution or linear layer"),
    };

    /// <summary>
    /// The activation modules whose inputs NASWOT codes: ReLU and ReLU6 (the reference hooks every module with "ReLU" in its
    /// type name) and SiLU and hard-swish, whose sign also changes at 0. Gates (sigmoid, hard-sigmoid) are not activations of units.
    /// </summary>
    public static List<Module<Tensor, Tensor>> Activations(Module net) =>
        net.named_modules().Select(m => m.module).Where(m => m is ReLU or ReLU6 or SiLU or Hardswish).Cast<Module<Tensor, Tensor>>().ToList();

    /// <summary>
    /// The mode the batch proxies score in: batch norm normalises with the batch's own statistics (training mode, as the
    /// reference code runs), while dropout and drop-connect are off, so a score depends on the weights and the batch alone.
    /// </summary>
    public static void UseBatchStatistics(Module net)
    {
        net.eval();
        foreach (var (_, m) in net.named_modules())
            if (m is BatchNorm2d bn) bn.train();
    }

    /// <summary>Batch norm taken out (synflow): each batch norm's output is replaced by its input. Dispose the handles to put it back.</summary>
    public static List<IDisposable> WithoutBatchNorm(Module net) =>
        net.named_modules().Select(m => m.module).OfType<BatchNorm2d>().Select(bn => bn.register_forward_hook((_, x, _) => x)).ToList();

    /// <summary>
    /// Σ over every convolution and linear weight W of <paramref name="term"/>(W, ∂L/∂W), L the mean cross-entropy of the batch
    /// (a weight that does not reach L adds nothing); the gradient proxies differ only in the term.
    /// </summary>
    public static double SumOverLossGradients(Module<Tensor, Tensor> net, ProxyBatch batch, Func<Parameter, Tensor, double> term)
    {
        var labels = batch.Labels ?? throw new ArgumentException($"the batch from {batch.Source} has no labels, which a loss needs");
        using var scope = torch.NewDisposeScope();
        UseBatchStatistics(net);
        var weights = WeightedLayers(net).Select(WeightOf).ToList();
        var loss = torch.nn.functional.cross_entropy(net.call(batch.Images), labels);
        var grads = torch.autograd.grad([loss], weights, allow_unused: true);
        double sum = 0;
        for (int i = 0; i < weights.Count; i++)
            if (grads[i] is { } g) sum += term(weights[i], g);
        return sum;
    }

    /// <summary>log|det K| through an LU factorisation with partial pivoting (as numpy's slogdet); −∞ for a singular K.</summary>
    public static double LogAbsDeterminant(double[,] k)
    {
        var u = Matrix<double>.Build.DenseOfArray(k).LU().U;
        double sum = 0;
        for (int i = 0; i < u.RowCount; i++) sum += Math.Log(Math.Abs(u[i, i]));
        return sum;
    }

    /// <summary>A square tensor as a managed matrix (float64).</summary>
    public static double[,] ToMatrix(Tensor square)
    {
        using var c = square.detach().cpu().to(ScalarType.Float64).contiguous();
        var flat = c.ToArray<double>();
        int n = (int)square.size(0);
        var m = new double[n, n];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}
