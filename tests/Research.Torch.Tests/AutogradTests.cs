namespace Research.Torch.Tests;

public class AutogradTests
{
    [Fact]
    public void NoGradDisablesRecordingAndRestores()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([3], requires_grad: true);
        Assert.True(torch.is_grad_enabled());
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            var y = x * 2;
            Assert.False(y.requires_grad);
            Assert.True(y.is_leaf);
            // In-place updates of a leaf are allowed under no_grad (the optimizer step).
            x.sub_(0.5);
        }
        Assert.True(torch.is_grad_enabled());
        var z = x * 2;
        Assert.True(z.requires_grad);
        Assert.False(z.is_leaf);
        Assert.Equal(new float[] { 0.5f, 0.5f, 0.5f }, x.ToArray<float>());

        // Outside no_grad the same in-place update of a leaf is an error.
        Assert.Throws<TorchException>(() => x.sub_(0.5));
    }

    [Fact]
    public void NoGradNestsWithEnableGrad()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([1], requires_grad: true);
        using (torch.no_grad())
        {
            using (torch.enable_grad())
            {
                Assert.True(torch.is_grad_enabled());
                Assert.True((x * 2).requires_grad);
            }
            Assert.False(torch.is_grad_enabled());
            using (torch.no_grad()) Assert.False(torch.is_grad_enabled());
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void NoGradIsRestoredWhenTheBodyThrows()
    {
        using var a = torch.zeros(2);
        try
        {
            using (torch.no_grad()) a.view(3);
        }
        catch (TorchException)
        {
        }
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void GradModeIsPerThread()
    {
        using (torch.no_grad())
        {
            bool other = true;
            var th = new Thread(() => other = torch.is_grad_enabled());
            th.Start();
            th.Join();
            Assert.True(other);
            Assert.False(torch.is_grad_enabled());
        }
    }

    [Fact]
    public void ZeroGradSetToNoneDropsTheGradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        Assert.Null(x.grad);
        (x * 3).sum().backward();
        var g = x.grad!;
        Check.Close([3, 3], g);
        x.zero_grad(); // set_to_none: PyTorch's default
        Assert.Null(x.grad);
        Check.Close([3, 3], g); // a handle taken before still holds the old values

        // A fresh backward starts from nothing, not from the old values.
        (x * x).sum().backward();
        Check.Close([2, 4], x.grad!);
    }

    [Fact]
    public void ZeroGradWithoutSetToNoneZeroesInPlace()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        (x * 3).sum().backward();
        var g = x.grad!;
        x.zero_grad(set_to_none: false);
        var g0 = x.grad;
        Assert.NotNull(g0);
        Check.Close([0, 0], g0!);
        Check.Close([0, 0], g); // same storage: the earlier handle sees the zeroes
        (x * x).sum().backward();
        Check.Close([2, 4], g); // accumulated into the same storage
        Assert.Null(torch.zeros(1).grad); // a tensor that never had a grad: zero_grad is a no-op
        torch.zeros(1).zero_grad(false);
    }

    [Fact]
    public void BackwardTwiceWithRetainGraphAccumulates()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, -2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward(retain_graph: true);
        Check.Close([2, -4, 6], x.grad!);
        y.backward();
        Check.Close([4, -8, 12], x.grad!);
    }

    [Fact]
    public void BackwardWithAnExplicitGradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var y = x * x;
        y.backward(torch.tensor(new double[] { 1, 0.5, -1 }));
        Check.Close([2, 2, -6], x.grad!);
    }

    [Fact]
    public void GradSetterAndRetainGrad()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        x.grad = torch.tensor(new double[] { 10, 20 });
        (x * 2).sum().backward();
        Check.Close([12, 22], x.grad!); // accumulates onto the assigned gradient

        var h = x * 3;
        h.retain_grad();
        (h * h).sum().backward();
        Check.Close([6, 12], h.grad!); // 2h for a non-leaf
        Assert.True(x.is_leaf);
        Assert.False(h.is_leaf);
    }

    [Fact]
    public void RequiresGradFlagAndDetachedOps()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2);
        Assert.False(x.requires_grad);
        x.requires_grad = true;
        Assert.True(x.requires_grad);
        var y = x.detach() * 2;
        Assert.False(y.requires_grad);
        x.requires_grad_(false);
        Assert.False((x * 2).requires_grad);
    }
}
