namespace Research.Models.Blocks;

public static class DropConnect
{
    /// <summary>
    /// Stochastic depth on a residual branch: in training, each sample's branch is zeroed
    /// with probability p and the kept ones scaled by 1/(1−p); identity in eval or when p = 0.
    /// </summary>
    public static Tensor Apply(Tensor branch, double p, bool training)
    {
        if (!training || p <= 0) return branch;
        if (p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "drop-connect rate must be < 1");
        double keep = 1 - p;
        var shape = new long[branch.dim()];
        Array.Fill(shape, 1L);
        shape[0] = branch.size(0);
        using var mask = torch.empty(shape, branch.dtype, branch.device).bernoulli_(keep).div_(keep);
        return branch * mask;
    }
}
