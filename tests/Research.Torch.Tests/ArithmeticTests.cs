namespace Research.Torch.Tests;

public class ArithmeticTests
{
    [Fact]
    public void IntegralScalarKeepsInt64()
    {
        using var t = torch.tensor(new long[] { 1, 2, 3 });
        using var a = t + 1;
        Assert.Equal(ScalarType.Int64, a.dtype);
        Assert.Equal(new long[] { 2, 3, 4 }, a.ToArray<long>());
        using var m = t * 3L;
        Assert.Equal(ScalarType.Int64, m.dtype);
        Assert.Equal(new long[] { 3, 6, 9 }, m.ToArray<long>());
        using var s = 10 - t;
        Assert.Equal(ScalarType.Int64, s.dtype);
        Assert.Equal(new long[] { 9, 8, 7 }, s.ToArray<long>());
        using var r = t % 2;
        Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.Equal(new long[] { 1, 0, 1 }, r.ToArray<long>());
    }

    [Fact]
    public void FloatingScalarPromotesIntegralTensorToFloat32()
    {
        using var t = torch.tensor(new long[] { 1, 2, 3 });
        using var a = t + 1.0;
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new float[] { 2, 3, 4 }, a.ToArray<float>());
        using var m = t * 0.5;
        Assert.Equal(ScalarType.Float32, m.dtype);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f }, m.ToArray<float>());
    }

    [Fact]
    public void TrueDivisionOfIntegersGivesFloat32()
    {
        using var t = torch.tensor(new long[] { 1, 2, 3 });
        using var d = t / 2;
        Assert.Equal(ScalarType.Float32, d.dtype);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f }, d.ToArray<float>());
    }

    [Fact]
    public void ScalarsDoNotPromoteNarrowerTensors()
    {
        using var i32 = torch.tensor(new[] { 1, 2 });
        using var a = i32 + 1;
        Assert.Equal(ScalarType.Int32, a.dtype);

        using var u8 = torch.tensor(new byte[] { 250, 255 });
        using var w = u8 + 1;
        Assert.Equal(ScalarType.Byte, w.dtype);
        Assert.Equal(new byte[] { 251, 0 }, w.ToArray<byte>()); // wraps like PyTorch

        using var f64 = torch.tensor(new double[] { 1 });
        using var b = f64 + 1.5;
        Assert.Equal(ScalarType.Float64, b.dtype);

        using var f32 = torch.tensor(new float[] { 1 });
        using var c = f32 * 2L;
        Assert.Equal(ScalarType.Float32, c.dtype);

        using var bo = torch.tensor(new[] { true, false });
        using var bi = bo + 1;
        Assert.Equal(ScalarType.Int64, bi.dtype);
        Assert.Equal(new long[] { 2, 1 }, bi.ToArray<long>());
    }

    [Fact]
    public void TensorTensorPromotionAndBroadcasting()
    {
        using var l = torch.tensor(new long[] { 1, 2, 3 });
        using var f = torch.tensor(new float[] { 0.5f, 0.5f, 0.5f });
        using var s = l + f;
        Assert.Equal(ScalarType.Float32, s.dtype);
        Assert.Equal(new float[] { 1.5f, 2.5f, 3.5f }, s.ToArray<float>());

        using var d = torch.tensor(new double[] { 1 });
        using var fd = f + d;
        Assert.Equal(ScalarType.Float64, fd.dtype);

        using var col = torch.tensor(new float[] { 10, 20 }, [2, 1]);
        using var row = torch.tensor(new float[] { 1, 2, 3 }, [1, 3]);
        using var sum = col + row;
        Assert.Equal(new long[] { 2, 3 }, sum.shape);
        Assert.Equal(new float[] { 11, 12, 13, 21, 22, 23 }, sum.ToArray<float>());
        using var diff = col - row;
        Assert.Equal(new float[] { 9, 8, 7, 19, 18, 17 }, diff.ToArray<float>());
        using var prod = col * row;
        Assert.Equal(new float[] { 10, 20, 30, 20, 40, 60 }, prod.ToArray<float>());
        using var quot = col / row;
        Check.Close([10, 5, 10.0 / 3, 20, 10, 20.0 / 3], quot, atol: 1e-5);
        using var added = col.add(row, alpha: 2);
        Assert.Equal(new float[] { 12, 14, 16, 22, 24, 26 }, added.ToArray<float>());
    }

    [Fact]
    public void ReversedScalarOperators()
    {
        using var t = torch.tensor(new float[] { 1, 2, 4 });
        using var a = 1 + t;
        Assert.Equal(new float[] { 2, 3, 5 }, a.ToArray<float>());
        using var s = 1 - t;
        Assert.Equal(new float[] { 0, -1, -3 }, s.ToArray<float>());
        using var m = 2 * t;
        Assert.Equal(new float[] { 2, 4, 8 }, m.ToArray<float>());
        using var d = 8.0 / t;
        Assert.Equal(new float[] { 8, 4, 2 }, d.ToArray<float>());
        using var n = -t;
        Assert.Equal(new float[] { -1, -2, -4 }, n.ToArray<float>());

        using var l = torch.tensor(new long[] { 1, 2, 4 });
        using var ld = 1 / l;
        Assert.Equal(ScalarType.Float32, ld.dtype);
        Assert.Equal(new float[] { 1, 0.5f, 0.25f }, ld.ToArray<float>());
    }

    [Fact]
    public void ReversedDivisionIsDifferentiable()
    {
        // d/dx (2 / x) = -2 / x^2
        using var x = torch.tensor(new double[] { 1, 2, 4 }, requires_grad: true);
        using var y = 2.0 / x;
        using var s = y.sum();
        s.backward();
        using var g = x.grad!;
        Check.Close([-2, -0.5, -0.125], g);
    }

    [Fact]
    public void RemainderFollowsPythonSign()
    {
        using var t = torch.tensor(new long[] { -3, -1, 4 });
        using var r = t % 3;
        Assert.Equal(new long[] { 0, 2, 1 }, r.ToArray<long>());
        using var f = torch.tensor(new float[] { -1.5f, 2.5f });
        using var rf = f % 2.0;
        Assert.Equal(new float[] { 0.5f, 0.5f }, rf.ToArray<float>());
    }

    [Fact]
    public void InPlaceOpsMutateAndReturnTheSameTensor()
    {
        using var t = torch.tensor(new float[] { 1, 2, 3 });
        using var o = torch.tensor(new float[] { 1, 1, 2 });
        Assert.Same(t, t.add_(1));
        Assert.Equal(new float[] { 2, 3, 4 }, t.ToArray<float>());
        Assert.Same(t, t.add_(o, alpha: 3));
        Assert.Equal(new float[] { 5, 6, 10 }, t.ToArray<float>());
        Assert.Same(t, t.sub_(o));
        Assert.Equal(new float[] { 4, 5, 8 }, t.ToArray<float>());
        t.sub_(1);
        Assert.Equal(new float[] { 3, 4, 7 }, t.ToArray<float>());
        t.mul_(o);
        Assert.Equal(new float[] { 3, 4, 14 }, t.ToArray<float>());
        t.mul_(2);
        Assert.Equal(new float[] { 6, 8, 28 }, t.ToArray<float>());
        t.div_(o);
        Assert.Equal(new float[] { 6, 8, 14 }, t.ToArray<float>());
        t.div_(2);
        Assert.Equal(new float[] { 3, 4, 7 }, t.ToArray<float>());
        t.pow_(2);
        Assert.Equal(new float[] { 9, 16, 49 }, t.ToArray<float>());
        t.sqrt_();
        Assert.Equal(new float[] { 3, 4, 7 }, t.ToArray<float>());
        t.neg_();
        Assert.Equal(new float[] { -3, -4, -7 }, t.ToArray<float>());
        t.clamp_(-5, -3.5);
        Assert.Equal(new float[] { -3.5f, -4, -5 }, t.ToArray<float>());
        t.fill_(2);
        Assert.Equal(new float[] { 2, 2, 2 }, t.ToArray<float>());
        t.addcmul_(o, o, 0.5); // 2 + 0.5 * o * o
        Assert.Equal(new float[] { 2.5f, 2.5f, 4 }, t.ToArray<float>());
        t.addcdiv_(o, o, 2); // + 2 * o / o
        Assert.Equal(new float[] { 4.5f, 4.5f, 6 }, t.ToArray<float>());
        using var end = torch.tensor(new float[] { 0.5f, 8.5f, 6 });
        t.lerp_(end, 0.25); // t + 0.25 (end - t)
        Assert.Equal(new float[] { 3.5f, 5.5f, 6 }, t.ToArray<float>());
        t.copy_(o);
        Assert.Equal(new float[] { 1, 1, 2 }, t.ToArray<float>());
        t.zero_();
        Assert.Equal(new float[3], t.ToArray<float>());
    }

    [Fact]
    public void InPlaceOnAViewWritesThroughToTheBase()
    {
        using var t = torch.zeros(2, 3);
        using (var row = t[1]) row.add_(5);
        using (var col = t.select(1, 0)) col.mul_(2).add_(1);
        Assert.Equal(new float[] { 1, 0, 0, 11, 5, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void InPlaceCannotChangeDtype()
    {
        using var l = torch.tensor(new long[] { 1, 2 });
        Assert.Throws<TorchException>(() => l.add_(1.5));
        Assert.Equal(new long[] { 1, 2 }, l.ToArray<long>());
    }

    [Fact]
    public void ComparisonsGiveBoolTensors()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 3, 2, 1 });
        using (var r = a.eq(b)) Check.Bools([false, true, false], r);
        using (var r = a.ne(b)) Check.Bools([true, false, true], r);
        using (var r = a < b) Check.Bools([true, false, false], r);
        using (var r = a <= b) Check.Bools([true, true, false], r);
        using (var r = a > b) Check.Bools([false, false, true], r);
        using (var r = a >= b) Check.Bools([false, true, true], r);
        using (var r = a > 1.5) Check.Bools([false, true, true], r);
        using (var r = a.eq(2)) Check.Bools([false, true, false], r);
        using (var r = a <= 2L) Check.Bools([true, true, false], r);

        using var m = (a > 1) & (b > 1);
        Check.Bools([false, true, false], m);
        using var o = (a > 2) | (b > 2);
        Check.Bools([true, false, true], o);
        using var n = !m;
        Check.Bools([true, false, true], n);

        Assert.True(a.equal(a));
        Assert.False(a.equal(b));
        using var a2 = a + 1e-7;
        Assert.True(a.allclose(a2));
        Assert.False(a.allclose(b));
    }

    [Fact]
    public void WhereAndMaskedFillPickElements()
    {
        using var c = torch.tensor(new[] { true, false, true });
        using var x = torch.tensor(new float[] { 1, 2, 3 });
        using var y = torch.tensor(new float[] { -1, -2, -3 });
        using var w = torch.where(c, x, y);
        Assert.Equal(new float[] { 1, -2, 3 }, w.ToArray<float>());
        using var w2 = x.where(c, y);
        Assert.Equal(new float[] { 1, -2, 3 }, w2.ToArray<float>());
        using var mf = x.masked_fill(c, 0);
        Assert.Equal(new float[] { 0, 2, 0 }, mf.ToArray<float>());

        // Broadcast condition along rows.
        using var c2 = torch.tensor(new[] { true, false }, [2, 1]);
        using var big = torch.ones(2, 3);
        using var small = torch.zeros(2, 3);
        using var w3 = torch.where(c2, big, small);
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 0 }, w3.ToArray<float>());
    }

    [Fact]
    public void ClampBounds()
    {
        using var t = torch.tensor(new float[] { -2, -0.5f, 0.5f, 2 });
        using (var c = t.clamp(-1, 1)) Assert.Equal(new float[] { -1, -0.5f, 0.5f, 1 }, c.ToArray<float>());
        using (var c = t.clamp(min: 0)) Assert.Equal(new float[] { 0, 0, 0.5f, 2 }, c.ToArray<float>());
        using (var c = t.clamp(max: 0)) Assert.Equal(new float[] { -2, -0.5f, 0, 0 }, c.ToArray<float>());
        using (var c = torch.clamp(t, 0.5, 0.5)) Assert.Equal(new float[] { 0.5f, 0.5f, 0.5f, 0.5f }, c.ToArray<float>());
    }

    [Fact]
    public void UnaryMath()
    {
        using var t = torch.tensor(new double[] { -4, -0.25, 0, 1, 4 });
        using (var r = t.abs()) Check.Close([4, 0.25, 0, 1, 4], r);
        using (var r = t.sign()) Check.Close([-1, -1, 0, 1, 1], r);
        using (var r = t.exp()) Check.Close([Math.Exp(-4), Math.Exp(-0.25), 1, Math.E, Math.Exp(4)], r, rtol: 1e-12);
        using (var r = t.square()) Check.Close([16, 0.0625, 0, 1, 16], r);

        using var p = torch.tensor(new double[] { 0.25, 1, 4, Math.E });
        using (var r = p.log()) Check.Close([Math.Log(0.25), 0, Math.Log(4), 1], r, rtol: 1e-12);
        using (var r = p.sqrt()) Check.Close([0.5, 1, 2, Math.Sqrt(Math.E)], r, rtol: 1e-12);
        using (var r = p.rsqrt()) Check.Close([2, 1, 0.5, 1 / Math.Sqrt(Math.E)], r, rtol: 1e-12);
        using (var r = p.pow(2)) Check.Close([0.0625, 1, 16, Math.E * Math.E], r, rtol: 1e-12);
        using (var r = torch.pow(p, 0.5)) Check.Close([0.5, 1, 2, Math.Sqrt(Math.E)], r, rtol: 1e-12);
        using (var r = p.reciprocal()) Check.Close([4, 1, 0.25, 1 / Math.E], r, rtol: 1e-12);

        using var e = torch.tensor(new double[] { 3, 0.5, -1, 2 });
        using (var r = p.pow(e)) Check.Close([Math.Pow(0.25, 3), 1, 0.25, Math.E * Math.E], r, rtol: 1e-12);

        using var neg = torch.tensor(new float[] { -1, 0 });
        using var l = neg.log();
        var lv = l.ToArray<float>();
        Assert.True(float.IsNaN(lv[0]));
        Assert.True(float.IsNegativeInfinity(lv[1]));
        using var isnan = l.isnan();
        Check.Bools([true, false], isnan);
        using var fin = l.isfinite();
        Check.Bools([false, false], fin);

        using var li = torch.tensor(new long[] { -3, 2 });
        using var sq = li.pow(2);
        Assert.Equal(ScalarType.Int64, sq.dtype);
        Assert.Equal(new long[] { 9, 4 }, sq.ToArray<long>());
        using var ab = li.abs();
        Assert.Equal(new long[] { 3, 2 }, ab.ToArray<long>());
    }

    [Fact]
    public void RoundingAndTrig()
    {
        using var t = torch.tensor(new double[] { -1.5, -0.4, 0.5, 2.5, 2.6 });
        using (var r = t.floor()) Check.Close([-2, -1, 0, 2, 2], r);
        using (var r = t.ceil()) Check.Close([-1, 0, 1, 3, 3], r);
        using (var r = t.round()) Check.Close([-2, 0, 0, 2, 3], r); // half to even
        using var a = torch.tensor(new double[] { 0, Math.PI / 2 });
        using (var r = a.sin()) Check.Close([0, 1], r, atol: 1e-12);
        using (var r = a.cos()) Check.Close([1, 0], r, atol: 1e-12);
        using var mx = torch.maximum(a, torch.tensor(new double[] { 1, 1 }));
        Check.Close([1, Math.PI / 2], mx);
    }

    [Fact]
    public void MatmulMatchesHandComputation()
    {
        using var a = torch.tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        using var b = torch.tensor(new float[,] { { 7, 8 }, { 9, 10 }, { 11, 12 } });
        using var c = a.matmul(b);
        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.ToArray<float>());

        // Matrix-vector and vector-vector.
        using var v = torch.tensor(new float[] { 1, 0, -1 });
        using var mv = torch.matmul(a, v);
        Assert.Equal(new long[] { 2 }, mv.shape);
        Assert.Equal(new float[] { -2, -2 }, mv.ToArray<float>());
        using var dot = v.matmul(v);
        Assert.Equal(0, dot.dim());
        Assert.Equal(2f, dot.item<float>());

        // Batched with broadcasting: (2, 2, 3) @ (3, 2).
        using var batch = torch.stack([a, a * 2]);
        using var bc = batch.matmul(b);
        Assert.Equal(new long[] { 2, 2, 2 }, bc.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154, 116, 128, 278, 308 }, bc.ToArray<float>());

        using var ints = torch.tensor(new long[] { 1, 2, 3, 4 }, [2, 2]);
        using var ii = ints.matmul(ints);
        Assert.Equal(ScalarType.Int64, ii.dtype);
        Assert.Equal(new long[] { 7, 10, 15, 22 }, ii.ToArray<long>());
    }
}
