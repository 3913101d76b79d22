namespace Research.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void ZerosOnesFullHaveShapeDtypeAndValues()
    {
        using var z = torch.zeros(2, 3);
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.Equal(new float[6], z.ToArray<float>());

        using var o = torch.ones([4], torch.int32);
        Assert.Equal(ScalarType.Int32, o.dtype);
        Assert.Equal(new[] { 1, 1, 1, 1 }, o.ToArray<int>());

        using var f = torch.full([2, 2], 7);
        Assert.Equal(ScalarType.Float32, f.dtype);
        Assert.Equal(new float[] { 7, 7, 7, 7 }, f.ToArray<float>());

        using var fl = torch.full([3], 1L << 40, torch.int64);
        Assert.Equal(new[] { 1L << 40, 1L << 40, 1L << 40 }, fl.ToArray<long>());

        using var fd = torch.full([], 2.5, torch.float64);
        Assert.Equal(0, fd.dim());
        Assert.Equal(2.5, fd.item<double>());

        using var fb = torch.full([2], true, torch.@bool);
        Assert.Equal(new[] { true, true }, fb.ToArray<bool>());
    }

    [Fact]
    public void LikeFactoriesCopyShapeAndDtype()
    {
        using var src = torch.zeros([2, 5], torch.float64);
        using var o = torch.ones_like(src);
        using var f = torch.full_like(src, -3);
        Assert.Equal(new long[] { 2, 5 }, o.shape);
        Assert.Equal(ScalarType.Float64, o.dtype);
        Assert.All(o.ToArray<double>(), v => Assert.Equal(1.0, v));
        Assert.All(f.ToArray<double>(), v => Assert.Equal(-3.0, v));
    }

    [Fact]
    public void EyeIsIdentity()
    {
        using var e = torch.eye(3);
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, e.ToArray<float>());
    }

    [Fact]
    public void ArangeIntegersAreInt64AndExact()
    {
        using var a = torch.arange(5);
        Assert.Equal(ScalarType.Int64, a.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, a.ToArray<long>());

        using var b = torch.arange(1, 10, 3);
        Assert.Equal(ScalarType.Int64, b.dtype);
        Assert.Equal(new long[] { 1, 4, 7 }, b.ToArray<long>());

        using var c = torch.arange(5, -5, -3);
        Assert.Equal(new long[] { 5, 2, -1, -4 }, c.ToArray<long>());

        // Around 2^53 a double step would round; int64 counts exactly.
        const long big = 9007199254740990; // 2^53 - 2
        using var d = torch.arange(big, big + 4);
        Assert.Equal(new[] { big, big + 1, big + 2, big + 3 }, d.ToArray<long>());
    }

    [Fact]
    public void ArangeWithIntegralDtypeAndFractionalEndCountsLikePyTorch()
    {
        // torch.arange(0, 2.5, 1, dtype=torch.int32) -> tensor([0, 1, 2], dtype=torch.int32):
        // ceil((end - start) / step) elements; truncating end to 2 first would lose the last one.
        using var a = torch.arange(0, 2.5, 1, torch.int32);
        Assert.Equal(ScalarType.Int32, a.dtype);
        Assert.Equal(new[] { 0, 1, 2 }, a.ToArray<int>());
        using var b = torch.arange(-1.5, 3, 2, torch.int32);
        Assert.Equal(3, b.numel()); // ceil(4.5 / 2)
    }

    [Fact]
    public void ArangeFloatingDtypes()
    {
        using var a = torch.arange(0, 1, 0.25, torch.float32);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f }, a.ToArray<float>());

        using var b = torch.arange(-1, 1, 0.5, torch.float64);
        Assert.Equal(ScalarType.Float64, b.dtype);
        Assert.Equal(new double[] { -1, -0.5, 0, 0.5 }, b.ToArray<double>());
    }

    [Fact]
    public void ArangeWithFractionalArgumentsAndNoDtypeIsFloat32()
    {
        // torch.arange(0, 1, 0.25) -> tensor([0.0000, 0.2500, 0.5000, 0.7500]) (float32, the default dtype).
        using var a = torch.arange(0, 1, 0.25);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f }, a.ToArray<float>());

        // All-integral arguments still give int64.
        using var b = torch.arange(2, 6);
        Assert.Equal(ScalarType.Int64, b.dtype);
        Assert.Equal(new long[] { 2, 3, 4, 5 }, b.ToArray<long>());
    }

    [Fact]
    public void LinspaceIncludesBothEnds()
    {
        using var a = torch.linspace(0, 1, 5);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 }, a.ToArray<float>());

        using var b = torch.linspace(-10, 10, 5, torch.float64);
        Assert.Equal(ScalarType.Float64, b.dtype);
        Assert.Equal(new double[] { -10, -5, 0, 5, 10 }, b.ToArray<double>());

        using var c = torch.linspace(3, 9, 1);
        Assert.Equal(new float[] { 3 }, c.ToArray<float>());
    }

    [Fact]
    public void RandintStaysInHalfOpenRange()
    {
        using var r = torch.randint(3, 7, [2000]);
        Assert.Equal(ScalarType.Int64, r.dtype);
        var v = r.ToArray<long>();
        Assert.All(v, x => Assert.InRange(x, 3, 6));
        // 2000 draws from 4 values: each appears (probability of a miss is ~1e-250).
        Assert.Equal(new long[] { 3, 4, 5, 6 }, v.Distinct().Order().ToArray());

        using var r32 = torch.randint(0, 2, [10], torch.int32);
        Assert.Equal(ScalarType.Int32, r32.dtype);
    }

    [Fact]
    public void RandIsInUnitInterval()
    {
        using var r = torch.rand(10000);
        var v = r.ToArray<float>();
        Assert.All(v, x => Assert.True(x >= 0f && x < 1f, $"{x} outside [0, 1)"));
        Assert.InRange(v.Average(), 0.45, 0.55);

        using var d = torch.rand([100], torch.float64);
        Assert.Equal(ScalarType.Float64, d.dtype);
        Assert.All(d.ToArray<double>(), x => Assert.True(x >= 0 && x < 1));
    }

    [Fact]
    public void RandnHasRoughlyUnitMoments()
    {
        using var r = torch.randn(20000);
        using var m = r.mean();
        using var s = r.std();
        Assert.InRange(m.item<float>(), -0.05f, 0.05f);
        Assert.InRange(s.item<float>(), 0.95f, 1.05f);
    }

    [Fact]
    public void FactoriesHonourRequiresGrad()
    {
        using var scope = torch.NewDisposeScope();
        Tensor[] made =
        [
            torch.zeros([2], requires_grad: true),
            torch.ones([2], torch.float64, requires_grad: true),
            torch.empty([2], requires_grad: true),
            torch.full([2], 1.5, requires_grad: true),
            torch.rand([2], requires_grad: true),
            torch.randn([2], requires_grad: true),
            torch.arange(0, 2, 1, torch.float32, requires_grad: true),
            torch.linspace(0, 1, 2, requires_grad: true),
            torch.tensor(new float[] { 1, 2 }, requires_grad: true),
        ];
        foreach (var t in made)
        {
            Assert.True(t.requires_grad);
            Assert.True(t.is_leaf);
            using var s = (t * t).sum();
            s.backward();
            Assert.Equal(new long[] { 2 }, t.grad!.shape);
        }
        using var plain = torch.zeros(2);
        Assert.False(plain.requires_grad);
        // Integers cannot require gradients.
        Assert.Throws<TorchException>(() => torch.zeros([2], torch.int64, requires_grad: true));
    }

    [Fact]
    public void TensorFromArrays()
    {
        using var a = torch.tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new long[] { 2, 3 }, a.shape);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, a.ToArray<float>());

        using var b = torch.tensor(new double[] { 1, 2, 3, 4 }, [2, 2]);
        Assert.Equal(ScalarType.Float64, b.dtype);
        Assert.Equal(new long[] { 2, 2 }, b.shape);

        using var s = torch.scalar_tensor(4);
        Assert.Equal(0, s.dim());
        Assert.Equal(4f, s.item<float>());
    }
}

[Collection(SerialCollection.Name)]
public class SeededRandomTests
{
    [Fact]
    public void ManualSeedMakesRandnReproducible()
    {
        torch.manual_seed(1234);
        using var a = torch.randn(16);
        using var a2 = torch.randn(16);
        torch.manual_seed(1234);
        using var b = torch.randn(16);
        using var b2 = torch.randn(16);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.Equal(a2.ToArray<float>(), b2.ToArray<float>());
        Assert.NotEqual(a.ToArray<float>(), a2.ToArray<float>());

        torch.manual_seed(1235);
        using var c = torch.randn(16);
        Assert.NotEqual(a.ToArray<float>(), c.ToArray<float>());
    }

    [Fact]
    public void ManualSeedMakesRandAndRandintReproducible()
    {
        torch.manual_seed(7);
        using var a = torch.rand(8);
        using var i = torch.randint(0, 100, [8]);
        torch.manual_seed(7);
        using var b = torch.rand(8);
        using var j = torch.randint(0, 100, [8]);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.Equal(i.ToArray<long>(), j.ToArray<long>());
    }

    [Fact]
    public void ManualSeedMakesDropoutMaskReproducible()
    {
        using var x = torch.ones(64);
        torch.manual_seed(99);
        using var a = torch.nn.functional.dropout(x, 0.5, training: true);
        torch.manual_seed(99);
        using var b = torch.nn.functional.dropout(x, 0.5, training: true);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
    }
}
