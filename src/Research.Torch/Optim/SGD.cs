namespace Research.Torch.Optim;

/// <summary>
/// SGD with PyTorch's rule: g ← grad + wd·p; with momentum, buf ← g on the first step,
/// else buf ← μ·buf + (1−dampening)·g, and g ← g + μ·buf (Nesterov) or buf; p ← p − lr·g.
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weight_decay, nesterov) { }

    public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
        : base(groups, lr, weight_decay)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be >= 0");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0");
        (Momentum, Dampening, Nesterov) = (momentum, dampening, nesterov);
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }

    protected override void Update(Parameter p, Tensor grad, ParamGroup group, ParameterState state)
    {
        var g = group.WeightDecay != 0 ? grad.add(p, group.WeightDecay) : grad;
        if (Momentum != 0)
        {
            bool fresh = !state.TryGet("momentum_buffer", out _);
            var buf = state.GetOrCreate("momentum_buffer", () => g.clone());
            if (!fresh) buf.mul_(Momentum).add_(g, 1 - Dampening);
            g = Nesterov ? g.add(buf, Momentum) : buf;
        }
        if (group.LearningRateTensor is { } lr) p.sub_(g * lr);
        else p.add_(g, -group.LearningRate);
    }

    protected override bool SupportsLearningRateTensors => true;
}
