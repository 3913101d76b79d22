using Research.Torch.Optim;

namespace Research.Torch.Tests;

/// <summary>
/// The first three steps of each optimizer on a fixed problem equal values computed here,
/// in C# doubles, from PyTorch's documented update rules (torch.optim docs, 1.13+).
/// Problem: p₀ = [1.0, −2.0] (float64), loss = Σ cᵢ·pᵢ² with c = [0.5, 2.0], so the
/// gradient is gᵢ = 2·cᵢ·pᵢ, evaluated at the current p before every step.
/// Every rule acts element-wise, so the reference runs each element on its own.
/// </summary>
public sealed class OptimizerUpdateRuleTests
{
    private static readonly double[] P0 = [1.0, -2.0];
    private static readonly double[] C = [0.5, 2.0];
    private const int Steps = 3;

    /// <summary>Runs the optimizer for three steps and returns p after each.</summary>
    private static double[][] RunTorch(Func<Parameter[], Optimizer> make)
    {
        using var scope = torch.NewDisposeScope();
        using var p = new Parameter(torch.tensor(P0));
        Assert.Equal(ScalarType.Float64, p.dtype);
        using var opt = make([p]);
        var c = torch.tensor(C);
        var trajectory = new double[Steps][];
        for (int t = 0; t < Steps; t++)
        {
            using var step = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = (c * p * p).sum();
            loss.backward();
            opt.step();
            trajectory[t] = p.ToArray<double>();
        }
        return trajectory;
    }

    /// <summary>
    /// The reference: for each element i, <paramref name="step"/>(t, p, g, state) returns the new p,
    /// with t = 1, 2, 3 and g = 2·cᵢ·p; state is per element and starts empty (all zeros).
    /// </summary>
    private static double[][] RunByHand(Func<int, double, double, double[], double> step)
    {
        var trajectory = new double[Steps][];
        var p = (double[])P0.Clone();
        var state = new double[P0.Length][];
        for (int i = 0; i < p.Length; i++) state[i] = new double[4];
        for (int t = 1; t <= Steps; t++)
        {
            for (int i = 0; i < p.Length; i++) p[i] = step(t, p[i], 2 * C[i] * p[i], state[i]);
            trajectory[t - 1] = (double[])p.Clone();
        }
        return trajectory;
    }

    private static void AssertTrajectory(double[][] expected, double[][] actual)
    {
        for (int t = 0; t < Steps; t++)
            for (int i = 0; i < P0.Length; i++)
            {
                double e = expected[t][i], a = actual[t][i];
                Assert.True(Math.Abs(a - e) <= 1e-12 * Math.Abs(e) + 1e-300,
                    $"step {t + 1}, p[{i}]: expected {e:R}, got {a:R} (relative error {Math.Abs(a - e) / Math.Abs(e):E2})");
            }
        // The problem is not degenerate: every step moved every element.
        for (int t = 0; t < Steps; t++)
            for (int i = 0; i < P0.Length; i++)
                Assert.NotEqual(t == 0 ? P0[i] : expected[t - 1][i], expected[t][i]);
    }

    // ---- SGD ----
    // PyTorch SGD (lr γ, momentum μ, dampening τ, weight_decay λ, nesterov):
    //   g ← g + λ·p                          (if λ ≠ 0)
    //   if μ ≠ 0: b ← g at t = 1, else b ← μ·b + (1 − τ)·g
    //             g ← g + μ·b (nesterov) or g ← b
    //   p ← p − γ·g

    [Fact]
    public void SgdPlain()
    {
        const double lr = 0.1;
        // p ← p − γ·g
        var expected = RunByHand((t, p, g, s) => p - lr * g);
        AssertTrajectory(expected, RunTorch(ps => new SGD(ps, lr)));
    }

    [Fact]
    public void SgdMomentumWithDampening()
    {
        const double lr = 0.1, mu = 0.9, tau = 0.3;
        var expected = RunByHand((t, p, g, s) =>
        {
            // b ← g on the first step (no dampening then), else b ← μ·b + (1 − τ)·g; p ← p − γ·b
            s[0] = t == 1 ? g : mu * s[0] + (1 - tau) * g;
            return p - lr * s[0];
        });
        AssertTrajectory(expected, RunTorch(ps => new SGD(ps, lr, momentum: mu, dampening: tau)));
    }

    [Fact]
    public void SgdNesterov()
    {
        const double lr = 0.1, mu = 0.9;
        var expected = RunByHand((t, p, g, s) =>
        {
            // b ← g (t = 1) else μ·b + g; the step uses g + μ·b
            s[0] = t == 1 ? g : mu * s[0] + g;
            return p - lr * (g + mu * s[0]);
        });
        AssertTrajectory(expected, RunTorch(ps => new SGD(ps, lr, momentum: mu, nesterov: true)));
    }

    [Fact]
    public void SgdWeightDecay()
    {
        const double lr = 0.1, wd = 0.25;
        // g ← g + λ·p; p ← p − γ·g
        var expected = RunByHand((t, p, g, s) => p - lr * (g + wd * p));
        AssertTrajectory(expected, RunTorch(ps => new SGD(ps, lr, weight_decay: wd)));
    }

    [Fact]
    public void SgdNesterovNeedsMomentumAndNoDampening()
    {
        using var p = new Parameter(torch.tensor(P0));
        Assert.Throws<ArgumentException>(() => new SGD([p], 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new SGD([p], 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
    }

    // ---- RMSprop ----
    // PyTorch RMSprop (lr γ, alpha α, eps ε, momentum μ, centered, weight_decay λ):
    //   g ← g + λ·p                                  (if λ ≠ 0)
    //   v ← α·v + (1 − α)·g²                         (v₀ = 0)
    //   centered: ḡ ← α·ḡ + (1 − α)·g (ḡ₀ = 0), ṽ ← v − ḡ², else ṽ ← v
    //   d ← √ṽ + ε
    //   μ > 0: b ← μ·b + g/d (b₀ = 0), p ← p − γ·b; else p ← p − γ·g/d

    private const double RmsLr = 0.01, RmsAlpha = 0.9, RmsEps = 1e-8;

    [Fact]
    public void RmspropPlain()
    {
        var expected = RunByHand((t, p, g, s) =>
        {
            s[0] = RmsAlpha * s[0] + (1 - RmsAlpha) * g * g;
            return p - RmsLr * g / (Math.Sqrt(s[0]) + RmsEps);
        });
        AssertTrajectory(expected, RunTorch(ps => new RMSprop(ps, RmsLr, alpha: RmsAlpha, eps: RmsEps)));
    }

    [Fact]
    public void RmspropMomentum()
    {
        const double mu = 0.8;
        var expected = RunByHand((t, p, g, s) =>
        {
            s[0] = RmsAlpha * s[0] + (1 - RmsAlpha) * g * g;
            s[1] = mu * s[1] + g / (Math.Sqrt(s[0]) + RmsEps);
            return p - RmsLr * s[1];
        });
        AssertTrajectory(expected, RunTorch(ps => new RMSprop(ps, RmsLr, alpha: RmsAlpha, eps: RmsEps, momentum: mu)));
    }

    [Fact]
    public void RmspropCentered()
    {
        var expected = RunByHand((t, p, g, s) =>
        {
            s[0] = RmsAlpha * s[0] + (1 - RmsAlpha) * g * g;
            s[1] = RmsAlpha * s[1] + (1 - RmsAlpha) * g;
            return p - RmsLr * g / (Math.Sqrt(s[0] - s[1] * s[1]) + RmsEps);
        });
        AssertTrajectory(expected, RunTorch(ps => new RMSprop(ps, RmsLr, alpha: RmsAlpha, eps: RmsEps, centered: true)));
    }

    // ---- Adam / AdamW ----
    // PyTorch Adam (lr γ, betas β₁ β₂, eps ε, weight_decay λ as L2):
    //   g ← g + λ·p                                   (if λ ≠ 0)
    //   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²  (m₀ = v₀ = 0)
    //   m̂ ← m/(1 − β₁ᵗ);  v̂ ← v/(1 − β₂ᵗ)
    //   p ← p − γ·m̂/(√v̂ + ε)
    // PyTorch AdamW: the same without the L2 term, after p ← p·(1 − γ·λ) (decoupled decay).

    private const double AdamLr = 0.1, B1 = 0.9, B2 = 0.999, AdamEps = 1e-8;

    private static double AdamStep(int t, double p, double g, double[] s)
    {
        s[0] = B1 * s[0] + (1 - B1) * g;
        s[1] = B2 * s[1] + (1 - B2) * g * g;
        double mHat = s[0] / (1 - Math.Pow(B1, t));
        double vHat = s[1] / (1 - Math.Pow(B2, t));
        return p - AdamLr * mHat / (Math.Sqrt(vHat) + AdamEps);
    }

    [Fact]
    public void AdamBiasCorrected()
    {
        var expected = RunByHand(AdamStep);
        AssertTrajectory(expected, RunTorch(ps => new Adam(ps, AdamLr, B1, B2, AdamEps)));
    }

    [Fact]
    public void AdamWeightDecayIsL2()
    {
        const double wd = 0.5;
        var expected = RunByHand((t, p, g, s) => AdamStep(t, p, g + wd * p, s));
        AssertTrajectory(expected, RunTorch(ps => new Adam(ps, AdamLr, B1, B2, AdamEps, weight_decay: wd)));
    }

    [Fact]
    public void AdamWDecouplesWeightDecay()
    {
        const double wd = 0.5;
        // The gradient is taken at the undecayed p; the decay scales p before the Adam step.
        var expected = RunByHand((t, p, g, s) => AdamStep(t, p * (1 - AdamLr * wd), g, s));
        AssertTrajectory(expected, RunTorch(ps => new AdamW(ps, AdamLr, B1, B2, AdamEps, weight_decay: wd)));
        // ... which is not what L2 decay gives.
        var l2 = RunByHand((t, p, g, s) => AdamStep(t, p, g + wd * p, s));
        Assert.NotEqual(l2[2][0], expected[2][0]);
    }

    [Fact]
    public void StepSkipsParametersWithoutGradient()
    {
        using var scope = torch.NewDisposeScope();
        using var a = new Parameter(torch.tensor(P0));
        using var b = new Parameter(torch.tensor(P0));
        using var opt = new Adam([a, b], AdamLr);
        (a * a).sum().backward();
        opt.step();
        Assert.Equal(P0, b.ToArray<double>());
        Assert.NotEqual(P0, a.ToArray<double>());
        // b's first real step is its step 1 (bias correction from the start).
        opt.zero_grad();
        (b * b).sum().backward();
        opt.step();
        var expected = new double[P0.Length];
        for (int i = 0; i < P0.Length; i++) expected[i] = AdamStep(1, P0[i], 2 * P0[i], new double[2]);
        var actual = b.ToArray<double>();
        for (int i = 0; i < P0.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12);
    }
}
