using MathNet.Numerics.LinearAlgebra;

namespace Research.Search.Proxies;

/// <summary>
/// jacob_cov (Mellor et al.'s first NASWOT version, as zero-cost-nas computes it): with batch norm on the batch's
/// statistics, J = ∂(Σ logits)/∂x per image, flattened (N × D); C = the correlation matrix of the N rows (numpy's corrcoef);
/// with C's eigenvalues v and k = 1e-5, score = −Σ (log(v + k) + 1/(v + k)).
/// </summary>
public static class JacobCov
{
    public const double K = 1e-5;

    public static double Score(Module<Tensor, Tensor> net, Tensor images)
    {
        ProxyNetwork.UseBatchStatistics(net);
        double[,] correlation;
        using (var scope = torch.NewDisposeScope())
        {
            var x = images.detach().clone().requires_grad_();
            var y = net.call(x);
            var j = torch.autograd.grad([y.sum()], [x])[0]!.flatten(1).to(ScalarType.Float64);
            var centred = j - j.mean([1L], keepdim: true);
            var cov = centred.matmul(centred.t());
            var std = centred.pow(2).sum([1L]).sqrt();
            correlation = ProxyNetwork.ToMatrix((cov / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1));
        }
        var eigen = Matrix<double>.Build.DenseOfArray(correlation).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues;
        return -eigen.Sum(v => Math.Log(v.Real + K) + 1 / (v.Real + K));
    }
}
