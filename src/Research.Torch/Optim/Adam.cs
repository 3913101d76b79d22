namespace Research.Torch.Optim;

/// <summary>
/// Adam with PyTorch's rule (weight decay as L2: g ← grad + wd·p): m ← β1·m + (1−β1)·g;
/// v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weight_decay) { }

    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(groups, lr, weight_decay)
    {
        if (beta1 < 0 || beta1 >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 < 0 || beta2 >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be >= 0");
        (Beta1, Beta2, Eps) = (beta1, beta2, eps);
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>AdamW decays the weights directly instead of adding wd·p to the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    protected override void Update(Parameter p, Tensor grad, ParamGroup group, ParameterState state)
    {
        double lr = group.LearningRate;
        var g = grad;
        if (group.WeightDecay != 0)
        {
            if (DecoupledWeightDecay) p.mul_(1 - lr * group.WeightDecay);
            else g = grad.add(p, group.WeightDecay);
        }
        var m = state.GetOrCreate("exp_avg", () => torch.zeros_like(p));
        var v = state.GetOrCreate("exp_avg_sq", () => torch.zeros_like(p));
        m.mul_(Beta1).add_(g, 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, 1 - Beta2);
        double bc1 = 1 - Math.Pow(Beta1, state.Step);
        double bc2 = 1 - Math.Pow(Beta2, state.Step);
        var denom = v.sqrt().div_(Math.Sqrt(bc2)).add_(Eps);
        p.addcdiv_(m, denom, -lr / bc1);
    }
}

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter): p ← p·(1 − lr·wd) before the Adam step.</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weight_decay) { }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2)
        : base(groups, lr, beta1, beta2, eps, weight_decay) { }

    protected override bool DecoupledWeightDecay => true;
}
