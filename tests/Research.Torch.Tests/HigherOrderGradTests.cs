namespace Research.Torch.Tests;

public class HigherOrderGradTests
{
    [Fact]
    public void SecondDerivativeOfCube()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 2 }, requires_grad: true);
        var y = x.pow(3).sum();
        var dy = torch.autograd.grad([y], [x], create_graph: true)[0]!;
        Assert.True(dy.requires_grad); // differentiable because of create_graph
        Check.Close(12, dy.item<double>(), 1e-12); // 3x^2
        var d2y = torch.autograd.grad([dy.sum()], [x])[0]!;
        Check.Close(12, d2y.item<double>(), 1e-12); // 6x
        Assert.False(d2y.requires_grad);
        Assert.Null(x.grad); // autograd.grad does not accumulate into .grad
    }

    [Fact]
    public void ThirdDerivativeWithCreateGraphAllTheWay()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1.5 }, requires_grad: true);
        var y = x.pow(4).sum(); // 4x^3, 12x^2, 24x
        var g1 = torch.autograd.grad([y], [x], create_graph: true)[0]!;
        var g2 = torch.autograd.grad([g1.sum()], [x], create_graph: true)[0]!;
        var g3 = torch.autograd.grad([g2.sum()], [x])[0]!;
        Check.Close(4 * 1.5 * 1.5 * 1.5, g1.item<double>(), 1e-12);
        Check.Close(12 * 1.5 * 1.5, g2.item<double>(), 1e-12);
        Check.Close(24 * 1.5, g3.item<double>(), 1e-12);
    }

    [Fact]
    public void HessianVectorProductOfAQuadraticForm()
    {
        // f(x) = xᵀ M x + bᵀ x has gradient (M + Mᵀ) x + b and Hessian H = M + Mᵀ.
        using var scope = torch.NewDisposeScope();
        double[,] mData = { { 1, 2, 0 }, { 0, 3, -1 }, { 4, 0, 2 } };
        double[,] h = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                h[i, j] = mData[i, j] + mData[j, i];
        var m = torch.tensor(mData);
        var b = torch.tensor(new double[] { 0.5, -1, 2 });
        var x = torch.tensor(new double[] { 0.3, -0.7, 1.1 }, requires_grad: true);
        var f = x.matmul(m.matmul(x)) + b.matmul(x);

        var g = torch.autograd.grad([f], [x], create_graph: true)[0]!;
        double[] xs = [0.3, -0.7, 1.1];
        double[] bs = [0.5, -1, 2];
        Check.Close(Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 3).Sum(j => h[i, j] * xs[j]) + bs[i]).ToArray(), g, [3], atol: 1e-12);

        // H v through grad(g · v), for an arbitrary v.
        double[] vs = [1, -2, 0.5];
        var v = torch.tensor(vs);
        var hv = torch.autograd.grad([(g * v).sum()], [x], retain_graph: true)[0]!;
        Check.Close(Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 3).Sum(j => h[i, j] * vs[j])).ToArray(), hv, [3], atol: 1e-12);

        // The same product through grad_outputs, then the whole Hessian one column at a time.
        var hv2 = torch.autograd.grad([g], [x], grad_outputs: [v], retain_graph: true)[0]!;
        Assert.True(hv2.allclose(hv, 0, 1e-12));
        var eye = torch.eye(3, torch.float64);
        for (int c = 0; c < 3; c++)
        {
            var col = torch.autograd.grad([g], [x], grad_outputs: [eye[c]], retain_graph: true)[0]!;
            Check.Close([h[0, c], h[1, c], h[2, c]], col, atol: 1e-12);
        }
    }

    [Fact]
    public void GradWithRespectToSeveralInputsAndUnused()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 2 }, requires_grad: true);
        var b = torch.tensor(new double[] { 3 }, requires_grad: true);
        var unused = torch.tensor(new double[] { 1 }, requires_grad: true);
        var y = (a * a * b).sum();
        var gs = torch.autograd.grad([y], [a, b, unused], retain_graph: true, allow_unused: true);
        Check.Close(12, gs[0]!.item<double>(), 1e-12); // 2ab
        Check.Close(4, gs[1]!.item<double>(), 1e-12);  // a^2
        Assert.Null(gs[2]);
        Assert.Throws<TorchException>(() => torch.autograd.grad([y], [a, unused]));
        Assert.Throws<ArgumentException>(() => torch.autograd.grad([y], [a], grad_outputs: [null, null]));
    }

    [Fact]
    public void BackwardWithCreateGraphAccumulatesADifferentiableGrad()
    {
        // y = x^3·e^w: dy/dx = 3x^2·e^w, d2y/dx2 = 6x·e^w, d2y/dxdw = 3x^2·e^w.
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 2 }, requires_grad: true);
        var w = torch.tensor(new double[] { 0.5 }, requires_grad: true);
        var y = (x.pow(3) * w.exp()).sum();
        y.backward(create_graph: true); // retain_graph defaults to create_graph, as in PyTorch
        var g = x.grad!;
        double ew = Math.Exp(0.5);
        Check.Close(12 * ew, g.item<double>(), 1e-12);
        Assert.True(g.requires_grad);
        var g2 = torch.autograd.grad([g.sum()], [x, w]);
        Check.Close(12 * ew, g2[0]!.item<double>(), 1e-12);
        Check.Close(12 * ew, g2[1]!.item<double>(), 1e-12);
        x.grad = null; // break the x -> grad -> x reference cycle
        w.grad = null;
        Assert.Null(x.grad);
    }
}
