using Research.Torch.Optim;

namespace Research.Search.Darts;

/// <summary>
/// Updates the architecture parameters on validation batches (DARTS's Architect). First order
/// treats the weights as constants. Second order differentiates through one virtual SGD step
/// w' = w − ξ(μ·m + ∇w L_train + λw), with the Hessian-vector product approximated by central
/// finite differences, ε = 0.01/‖∇w' L_val‖. The weights are restored even when a step throws.
/// A MACs penalty λ_macs · E[MACs] (millions) and a latency penalty λ_lat · E[latency] (ms, from a latency table; the
/// additive form) can be added to the validation loss.
/// </summary>
public sealed class Architect : IDisposable
{
    private readonly Supernet _net;
    private readonly List<Parameter> _weights;
    private readonly List<Parameter> _arch;
    private readonly double _macsLambda;
    private readonly double _latencyLambda;

    public Architect(Supernet net, DartsConfig cfg)
    {
        _net = net;
        _weights = net.WeightParameters.ToList();
        _arch = net.ArchParameters.ToList();
        _macsLambda = cfg.MacsLambda;
        _latencyLambda = cfg.LatencyLambda;
        Optimizer = new Adam(_arch, cfg.ArchLearningRate, cfg.ArchBeta1, cfg.ArchBeta2, weight_decay: cfg.ArchWeightDecay);
    }

    public Adam Optimizer { get; }

    /// <summary>Called with the architecture parameters between computing their gradients and stepping (data-parallel: the average over ranks).</summary>
    public Action<IReadOnlyList<Parameter>>? SynchroniseGradients { get; set; }

    public IReadOnlyList<Parameter> Arch => _arch;

    /// <summary>Cross-entropy of the supernet on a batch.</summary>
    public Tensor Loss(Tensor x, Tensor y) => torch.nn.functional.cross_entropy(_net.call(x), y);

    private Tensor ValidationObjective(Tensor logits, Tensor y)
    {
        var loss = torch.nn.functional.cross_entropy(logits, y);
        if (_macsLambda > 0) loss = loss + _net.ExpectedMacs() * _macsLambda;
        return _latencyLambda > 0 ? loss + _net.ExpectedLatency() * _latencyLambda : loss;
    }

    /// <summary>First order: one Adam step on ∇α L_val (+ penalty). Returns the validation logits' loss and correct count.</summary>
    public (double loss, long correct) StepFirstOrder(Tensor xv, Tensor yv)
    {
        using var scope = torch.NewDisposeScope();
        Optimizer.zero_grad();
        var logits = _net.call(xv);
        var objective = ValidationObjective(logits, yv);
        var grads = torch.autograd.grad([objective], _arch, allow_unused: true);
        SetArchGrads(grads);
        SynchroniseGradients?.Invoke(_arch);
        Optimizer.step();
        return Summary(logits, yv);
    }

    /// <summary>Second order (unrolled) step. <paramref name="xi"/> is the weights' current learning rate.</summary>
    public (double loss, long correct) StepSecondOrder(Tensor xt, Tensor yt, Tensor xv, Tensor yv, double xi, SGD weightOptimizer)
    {
        using var scope = torch.NewDisposeScope();
        Optimizer.zero_grad();
        var backup = Snapshot();
        try
        {
            // w' = w − ξ(μ·m + ∇w L_train(w, α) + λw), the step SGD would take.
            var g = Grad(Loss(xt, yt), _weights);
            double wd = weightOptimizer.ParamGroups[0].WeightDecay, mu = weightOptimizer.Momentum;
            using (torch.no_grad())
                for (int i = 0; i < _weights.Count; i++)
                {
                    var p = _weights[i];
                    var d = g[i].add(p, wd);
                    if (mu > 0 && weightOptimizer.TryGetState(i, "momentum_buffer", out var m)) d = d.add(m, mu);
                    p.sub_(d * xi);
                }
            // ∇α L_val(w', α) and ∇w' L_val(w', α).
            var logits = _net.call(xv);
            var objective = ValidationObjective(logits, yv);
            var all = torch.autograd.grad([objective], _arch.Concat(_weights).ToList(), allow_unused: true);
            var dAlpha = all.Take(_arch.Count).ToArray();
            var dW = all.Skip(_arch.Count).Select((t, i) => t ?? torch.zeros_like(_weights[i])).ToArray();
            Restore(backup);
            var hvp = FiniteDifferenceHvp(xt, yt, dW);
            var final = new Tensor?[_arch.Count];
            for (int i = 0; i < _arch.Count; i++)
                final[i] = dAlpha[i] is null && hvp[i] is null ? null : (dAlpha[i] ?? torch.zeros_like(_arch[i])) - (hvp[i] ?? torch.zeros_like(_arch[i])) * xi;
            SetArchGrads(final);
            SynchroniseGradients?.Invoke(_arch);
            var summary = Summary(logits, yv);
            Optimizer.step();
            return summary;
        }
        finally
        {
            Restore(backup);
        }
    }

    /// <summary>
    /// ∇²_{α,w} L_train(w, α) · v by central differences at the current weights:
    /// (∇α L(w + εv) − ∇α L(w − εv)) / 2ε with ε = 0.01/‖v‖. Restores the weights. Null where α has no gradient.
    /// </summary>
    public Tensor?[] FiniteDifferenceHvp(Tensor x, Tensor y, IReadOnlyList<Tensor> v)
    {
        double norm;
        using (torch.no_grad())
        using (var sq = torch.stack(v.Select(t => t.pow(2).sum()).ToArray()).sum())
            norm = Math.Sqrt(sq.item<double>());
        double eps = 0.01 / Math.Max(norm, 1e-12);
        var backup = Snapshot();
        try
        {
            Shift(backup, v, eps);
            var plus = torch.autograd.grad([Loss(x, y)], _arch, allow_unused: true);
            Shift(backup, v, -eps);
            var minus = torch.autograd.grad([Loss(x, y)], _arch, allow_unused: true);
            return plus.Zip(minus, (p, m) => p is null || m is null ? null : (p - m) / (2 * eps)).ToArray();
        }
        finally
        {
            Restore(backup);
            foreach (var t in backup) t.Dispose();
        }
    }

    private static Tensor[] Grad(Tensor loss, IReadOnlyList<Parameter> ps) =>
        torch.autograd.grad([loss], ps, allow_unused: true).Select((t, i) => t ?? torch.zeros_like(ps[i])).ToArray();

    private void SetArchGrads(IReadOnlyList<Tensor?> grads)
    {
        for (int i = 0; i < _arch.Count; i++) _arch[i].grad = grads[i];
    }

    private static (double, long) Summary(Tensor logits, Tensor y)
    {
        using (torch.no_grad())
        {
            double loss = torch.nn.functional.cross_entropy(logits, y).item<double>();
            long correct = logits.argmax(1).eq(y).sum().item<long>();
            return (loss, correct);
        }
    }

    private Tensor[] Snapshot()
    {
        using (torch.no_grad())
            return _weights.Select(p => p.detach().clone()).ToArray();
    }

    private void Restore(Tensor[] backup)
    {
        using (torch.no_grad())
            for (int i = 0; i < _weights.Count; i++) _weights[i].copy_(backup[i]);
    }

    private void Shift(Tensor[] backup, IReadOnlyList<Tensor> v, double eps)
    {
        using (torch.no_grad())
            for (int i = 0; i < _weights.Count; i++) _weights[i].copy_(backup[i] + v[i] * eps);
    }

    public void Dispose() => Optimizer.Dispose();
}
