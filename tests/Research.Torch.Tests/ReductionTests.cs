namespace Research.Torch.Tests;

public class ReductionTests
{
    // [[1, 2, 3],
    //  [4, 5, 6]]
    private static Tensor M() => torch.tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });

    [Fact]
    public void SumOverAllAndDims()
    {
        using var m = M();
        using (var s = m.sum()) { Assert.Equal(0, s.dim()); Assert.Equal(21.0, s.item<double>()); }
        using (var s = m.sum(0)) Check.Close([5, 7, 9], s, [3]);
        using (var s = m.sum(1)) Check.Close([6, 15], s, [2]);
        using (var s = m.sum(1, keepdim: true)) Check.Close([6, 15], s, [2, 1]);
        using (var s = m.sum([0, 1], keepdim: true)) Check.Close([21], s, [1, 1]);
        using (var s = m.sum(-1)) Check.Close([6, 15], s, [2]);
    }

    [Fact]
    public void IntegerSumsAccumulateInInt64()
    {
        using var i = torch.tensor(new[] { int.MaxValue, int.MaxValue });
        using var s = i.sum();
        Assert.Equal(ScalarType.Int64, s.dtype); // PyTorch sums integers (and bools) as int64
        Assert.Equal(2L * int.MaxValue, s.item<long>());

        using var b = torch.tensor(new[] { true, true, false });
        using var bs = b.sum();
        Assert.Equal(2L, bs.item<long>());

        using var f = torch.tensor(new[] { 1, 2 });
        using var fs = f.sum(dtype: torch.float64);
        Assert.Equal(ScalarType.Float64, fs.dtype);
    }

    [Fact]
    public void MeanOverAllAndDims()
    {
        using var m = M();
        using (var s = m.mean()) Assert.Equal(3.5, s.item<double>());
        using (var s = m.mean(0)) Check.Close([2.5, 3.5, 4.5], s, [3]);
        using (var s = m.mean(1, keepdim: true)) Check.Close([2, 5], s, [2, 1]);
        using var l = torch.tensor(new long[] { 1, 2 });
        Assert.Throws<TorchException>(() => l.mean()); // PyTorch: mean needs a floating dtype
    }

    [Fact]
    public void StdAndVarAreUnbiasedByDefault()
    {
        using var m = M();
        // 1..6: mean 3.5, sum of squared deviations 17.5.
        using (var v = m.var()) Check.Close(17.5 / 5, v.item<double>(), 1e-12);
        using (var v = m.var(unbiased: false)) Check.Close(17.5 / 6, v.item<double>(), 1e-12);
        using (var s = m.std()) Check.Close(Math.Sqrt(3.5), s.item<double>(), 1e-12);
        using (var s = m.std(unbiased: false)) Check.Close(Math.Sqrt(17.5 / 6), s.item<double>(), 1e-12);
        // Per row: deviations -1, 0, 1 -> unbiased var 1, biased 2/3.
        using (var v = m.var([1])) Check.Close([1, 1], v, [2]);
        using (var v = m.var([1], unbiased: false, keepdim: true)) Check.Close([2.0 / 3, 2.0 / 3], v, [2, 1]);
        // Per column: values (1, 4) -> unbiased var 4.5.
        using (var s = m.std([0], keepdim: true)) Check.Close([Math.Sqrt(4.5), Math.Sqrt(4.5), Math.Sqrt(4.5)], s, [1, 3], rtol: 1e-12);
    }

    [Fact]
    public void NormIsTheVectorNorm()
    {
        using var m = M();
        using (var n = m.norm()) Check.Close(Math.Sqrt(91), n.item<double>(), 1e-12);
        using (var n = m.norm(1)) Check.Close(21, n.item<double>(), 1e-12);
        using (var n = m.norm(double.PositiveInfinity)) Check.Close(6, n.item<double>(), 1e-12);
        using (var n = m.norm(2, [1])) Check.Close([Math.Sqrt(14), Math.Sqrt(77)], n, [2], rtol: 1e-12);
    }

    [Fact]
    public void MaxMinArgmaxArgmin()
    {
        using var t = torch.tensor(new float[,] { { 3, 9, 1 }, { 7, 2, 8 } });
        using (var x = t.max()) Assert.Equal(9f, x.item<float>());
        using (var x = t.min()) Assert.Equal(1f, x.item<float>());
        using (var x = t.argmax()) Assert.Equal(1L, x.item<long>());
        using (var x = t.argmin()) Assert.Equal(2L, x.item<long>());
        using (var x = t.argmax(1)) Check.Longs([1, 2], x, [2]);
        using (var x = t.argmin(0, keepdim: true)) Check.Longs([0, 1, 0], x, [1, 3]);

        var (v, i) = t.max(1);
        using (v) using (i)
        {
            Assert.Equal(new float[] { 9, 8 }, v.ToArray<float>());
            Check.Longs([1, 2], i, [2]);
        }
        var (v2, i2) = t.min(0, keepdim: true);
        using (v2) using (i2)
        {
            Assert.Equal(new long[] { 1, 3 }, v2.shape);
            Assert.Equal(new float[] { 3, 2, 1 }, v2.ToArray<float>());
            Assert.Equal(new long[] { 0, 1, 0 }, i2.ToArray<long>());
        }
    }

    [Fact]
    public void TopkCumsumAnyAll()
    {
        using var t = torch.tensor(new float[] { 5, 1, 4, 2, 3 });
        var (v, i) = t.topk(2);
        using (v) using (i)
        {
            Assert.Equal(new float[] { 5, 4 }, v.ToArray<float>());
            Assert.Equal(new long[] { 0, 2 }, i.ToArray<long>());
        }
        var (vs, isx) = t.topk(2, largest: false);
        using (vs) using (isx) Assert.Equal(new float[] { 1, 2 }, vs.ToArray<float>());
        using (var c = t.cumsum(0)) Assert.Equal(new float[] { 5, 6, 10, 12, 15 }, c.ToArray<float>());
        using var b = torch.tensor(new[] { false, true });
        using (var a = b.any()) Assert.True(a.item<bool>());
        using (var a = b.all()) Assert.False(a.item<bool>());
    }
}
