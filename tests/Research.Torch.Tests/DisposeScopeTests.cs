namespace Research.Torch.Tests;

public class DisposeScopeTests
{
    [Fact]
    public void DisposedTensorThrowsObjectDisposedException()
    {
        var t = torch.ones(2);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.shape);
        Assert.Throws<ObjectDisposedException>(() => t + 1);
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => t.add_(1));
        using var other = torch.ones(2);
        Assert.Throws<ObjectDisposedException>(() => other + t);
        Assert.Throws<ObjectDisposedException>(() => torch.cat([other, t]));
        t.Dispose(); // a second Dispose is harmless
    }

    [Fact]
    public void ScopeDisposesWhatWasCreatedInIt()
    {
        var before = torch.ones(2);
        Tensor a, b, c;
        using (var scope = torch.NewDisposeScope())
        {
            a = torch.zeros(3);
            b = a + 1;
            c = b.sum();
            Assert.Equal(3, scope.DisposablesCount);
            using (var d = b * 2) { }
            Assert.Equal(3, scope.DisposablesCount); // an explicitly disposed tensor leaves its scope
            var pre = before + 0; // ops on outside tensors create scope-owned results
            Assert.Equal(4, scope.DisposablesCount);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.True(c.IsDisposed);
        Assert.False(before.IsDisposed); // created before the scope: not owned
        before.Dispose();
    }

    [Fact]
    public void MoveToOuterDisposeScopeKeepsTheResultAlive()
    {
        Tensor result;
        Tensor temp;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                temp = torch.ones(3) * 2;
                result = (temp + 1).MoveToOuterDisposeScope();
                Assert.Equal(2, inner.DisposablesCount);
                Assert.Equal(1, outer.DisposablesCount);
            }
            Assert.True(temp.IsDisposed);
            Assert.False(result.IsDisposed);
            Assert.Equal(new float[] { 3, 3, 3 }, result.ToArray<float>());
        }
        Assert.True(result.IsDisposed); // the outer scope owned it
    }

    [Fact]
    public void MoveToOuterFromTheOutermostScopeHandsOwnershipToTheCaller()
    {
        Tensor result;
        using (var scope = torch.NewDisposeScope())
        {
            result = scope.MoveToOuter(torch.ones(2) + 1);
            Assert.Equal(1, scope.DisposablesCount); // the ones(2) temporary
        }
        Assert.False(result.IsDisposed);
        Assert.Equal(new float[] { 2, 2 }, result.ToArray<float>());
        result.Dispose();
    }

    [Fact]
    public void DetachFromDisposeScopeSurvivesEveryScope()
    {
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                kept = torch.arange(3).DetachFromDisposeScope();
                Assert.Equal(0, inner.DisposablesCount);
            }
            Assert.Equal(0, outer.DisposablesCount);
        }
        Assert.False(kept.IsDisposed);
        Assert.Equal(new long[] { 0, 1, 2 }, kept.ToArray<long>());
        kept.Dispose();
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void ScopeDetachAndMoveMany()
    {
        Tensor x, y, z;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                x = torch.ones(1);
                y = torch.ones(1);
                z = inner.Detach(torch.ones(1));
                inner.MoveToOuter(x, y);
                Assert.Equal(0, inner.DisposablesCount);
                Assert.Equal(2, outer.DisposablesCount);
            }
            Assert.False(x.IsDisposed || y.IsDisposed || z.IsDisposed);
        }
        Assert.True(x.IsDisposed && y.IsDisposed);
        Assert.False(z.IsDisposed);
        z.Dispose();
    }

    [Fact]
    public void DisposeEverythingFreesButKeepsTheScopeOpen()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2);
        scope.DisposeEverything();
        Assert.True(a.IsDisposed);
        Assert.Equal(0, scope.DisposablesCount);
        var b = torch.ones(2); // still collected by the open scope
        Assert.Equal(1, scope.DisposablesCount);
        Assert.False(b.IsDisposed);
    }

    [Fact]
    public void ListResultsAndTupleResultsAreOwned()
    {
        Tensor[] parts;
        Tensor v, i;
        using (var scope = torch.NewDisposeScope())
        {
            parts = torch.arange(6).chunk(3);
            (v, i) = torch.tensor(new float[] { 1, 3, 2 }).max(0);
            Assert.Equal(1 + 3 + 1 + 2, scope.DisposablesCount);
        }
        Assert.All(parts, p => Assert.True(p.IsDisposed));
        Assert.True(v.IsDisposed && i.IsDisposed);
    }

    [Fact]
    public void GradHandleIsOwnedButTheGradientSurvives()
    {
        using var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        using (var scope = torch.NewDisposeScope())
        {
            (x * 5).sum().backward();
            var g = x.grad!;
            Assert.Equal(new double[] { 5, 5 }, g.ToArray<double>());
        }
        // Freeing the handle did not free the tensor's stored gradient.
        using var again = x.grad!;
        Assert.Equal(new double[] { 5, 5 }, again.ToArray<double>());
    }

    [Fact]
    public void ScopesArePerThread()
    {
        using var scope = torch.NewDisposeScope();
        Tensor? fromOtherThread = null;
        var th = new Thread(() => fromOtherThread = torch.ones(1));
        th.Start();
        th.Join();
        Assert.Equal(0, scope.DisposablesCount);
        scope.Dispose();
        Assert.False(fromOtherThread!.IsDisposed);
        fromOtherThread.Dispose();
    }

    [Fact]
    public void DisposingAnAliasLeavesTheOriginal()
    {
        using var a = torch.ones(2);
        var b = a.alias();
        var v = a.view(2, 1);
        b.Dispose();
        v.Dispose();
        Assert.Equal(new float[] { 1, 1 }, a.ToArray<float>());
    }
}
