namespace Research.Torch.Optim;

/// <summary>
/// RMSprop with PyTorch's rule: g ← grad + wd·p; v ← α·v + (1−α)·g²; (centered: v − ḡ²);
/// d ← √v + ε; with momentum buf ← μ·buf + g/d and p ← p − lr·buf, else p ← p − lr·g/d.
/// EfficientNet's recipe is α = 0.9, μ = 0.9, ε = 1e-3 (TensorFlow puts ε inside the root;
/// set <c>eps_inside_sqrt</c> for that variant).
/// </summary>
public sealed class RMSprop : Optimizer
{
    public RMSprop(IEnumerable<Parameter> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
        double momentum = 0, bool centered = false, bool eps_inside_sqrt = false)
        : this([new ParamGroup(parameters)], lr, alpha, eps, weight_decay, momentum, centered, eps_inside_sqrt) { }

    public RMSprop(IEnumerable<ParamGroup> groups, double lr = 0.01, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
        double momentum = 0, bool centered = false, bool eps_inside_sqrt = false)
        : base(groups, lr, weight_decay)
    {
        if (alpha < 0 || alpha > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1]");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be >= 0");
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be >= 0");
        (Alpha, Eps, Momentum, Centered, EpsInsideSqrt) = (alpha, eps, momentum, centered, eps_inside_sqrt);
    }

    public double Alpha { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public bool Centered { get; }
    public bool EpsInsideSqrt { get; }

    protected override void Update(Parameter p, Tensor grad, ParamGroup group, ParameterState state)
    {
        var g = group.WeightDecay != 0 ? grad.add(p, group.WeightDecay) : grad;
        var sq = state.GetOrCreate("square_avg", () => torch.zeros_like(p));
        sq.mul_(Alpha).addcmul_(g, g, 1 - Alpha);
        Tensor v = sq;
        if (Centered)
        {
            var ga = state.GetOrCreate("grad_avg", () => torch.zeros_like(p));
            ga.mul_(Alpha).add_(g, 1 - Alpha);
            v = sq - ga * ga;
        }
        var denom = EpsInsideSqrt ? (v + Eps).sqrt_() : v.sqrt().add_(Eps);
        if (Momentum > 0)
        {
            var buf = state.GetOrCreate("momentum_buffer", () => torch.zeros_like(p));
            buf.mul_(Momentum).addcdiv_(g, denom, 1);
            p.add_(buf, -group.LearningRate);
        }
        else
        {
            p.addcdiv_(g, denom, -group.LearningRate);
        }
    }
}
