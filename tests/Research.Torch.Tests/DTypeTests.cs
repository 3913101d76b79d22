namespace Research.Torch.Tests;

public class DTypeTests
{
    [Fact]
    public void Float32RoundTrips()
    {
        var data = new[] { 0f, -1.5f, 3.25f, float.MaxValue, float.Epsilon, float.NegativeInfinity };
        using var t = torch.tensor(data);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(data, t.ToArray<float>());
    }

    [Fact]
    public void Float64RoundTrips()
    {
        var data = new[] { 0.1, -1e300, Math.PI, double.Epsilon };
        using var t = torch.tensor(data);
        Assert.Equal(ScalarType.Float64, t.dtype);
        Assert.Equal(data, t.ToArray<double>());
    }

    [Fact]
    public void Int64RoundTripsIncludingExtremes()
    {
        var data = new[] { long.MinValue, -1L, 0L, long.MaxValue };
        using var t = torch.tensor(data);
        Assert.Equal(ScalarType.Int64, t.dtype);
        Assert.Equal(data, t.ToArray<long>());
        using var last = t[-1];
        Assert.Equal(long.MaxValue, last.item<long>());
    }

    [Fact]
    public void Int32RoundTrips()
    {
        var data = new[] { int.MinValue, -7, 0, int.MaxValue };
        using var t = torch.tensor(data);
        Assert.Equal(ScalarType.Int32, t.dtype);
        Assert.Equal(data, t.ToArray<int>());
        Assert.Equal(data.Select(v => (long)v).ToArray(), t.ToArray<long>());
    }

    [Fact]
    public void UInt8RoundTrips()
    {
        var data = new byte[] { 0, 1, 127, 128, 255 };
        using var t = torch.tensor(data);
        Assert.Equal(ScalarType.Byte, t.dtype);
        Assert.Equal(data, t.ToArray<byte>());
        using var first = t[4];
        Assert.Equal((byte)255, first.item<byte>());
    }

    [Fact]
    public void BoolRoundTrips()
    {
        var data = new[] { true, false, false, true };
        using var t = torch.tensor(data, [2, 2]);
        Assert.Equal(ScalarType.Bool, t.dtype);
        Assert.Equal(data, t.ToArray<bool>());
        using var e = t[0, 0];
        Assert.True(e.item<bool>());
    }

    [Fact]
    public void Float16RoundTripsThroughHalf()
    {
        var data = new[] { (Half)0.5f, (Half)(-2f), (Half)65504f, (Half)0.000061035156f };
        using var t = torch.from_span<Half>(data, [4]);
        Assert.Equal(ScalarType.Float16, t.dtype);
        Assert.Equal(data, t.ToArray<Half>());
        Assert.Equal(new float[] { 0.5f, -2f, 65504f, 0.000061035156f }, t.ToArray<float>());
        Assert.Equal(8, t.ToBytes().Length);
    }

    [Fact]
    public void BFloat16KeepsRepresentableValuesAndRoundsOthers()
    {
        using var f = torch.tensor(new float[] { 1.5f, -2f, 0.15625f, 256f });
        using var b = f.to(torch.bfloat16);
        Assert.Equal(ScalarType.BFloat16, b.dtype);
        Assert.Equal(new float[] { 1.5f, -2f, 0.15625f, 256f }, b.ToArray<float>());
        Assert.Equal(8, b.ToBytes().Length);

        // bfloat16 keeps 8 significant bits: 1/3 becomes 0.333984375 (round to nearest even).
        using var third = torch.full([], 1.0 / 3.0, torch.bfloat16);
        Assert.Equal(0.333984375, third.item<double>());
    }

    [Fact]
    public void FromBytesReadsRawLittleEndianElements()
    {
        // bfloat16 1.0 = 0x3F80, -2.0 = 0xC000
        using var b = torch.from_bytes(new byte[] { 0x80, 0x3F, 0x00, 0xC0 }, [2], torch.bfloat16);
        Assert.Equal(new float[] { 1f, -2f }, b.ToArray<float>());
        Assert.Equal(new byte[] { 0x80, 0x3F, 0x00, 0xC0 }, b.ToBytes());

        using var i = torch.from_bytes(BitConverter.GetBytes(0x01020304), [1], torch.int32);
        Assert.Equal(0x01020304, i.item<int>());

        Assert.Throws<ArgumentException>(() => torch.from_bytes(new byte[3], [1], torch.float32));
    }

    [Fact]
    public void ToConvertsLikePyTorch()
    {
        using var f = torch.tensor(new float[] { -2.7f, -0.5f, 0f, 0.5f, 2.7f });
        using var l = f.to(torch.int64);
        Assert.Equal(ScalarType.Int64, l.dtype);
        Assert.Equal(new long[] { -2, 0, 0, 0, 2 }, l.ToArray<long>()); // truncation toward zero
        using var b = f.to(torch.@bool);
        Assert.Equal(new[] { true, true, false, true, true }, b.ToArray<bool>());
        using var d = f.@double();
        Assert.Equal(ScalarType.Float64, d.dtype);
        Assert.Equal((double)-2.7f, d.ToArray<double>()[0]);

        using var i = torch.tensor(new[] { 3, 300 });
        using var u = i.to(torch.uint8);
        Assert.Equal(new byte[] { 3, 44 }, u.ToArray<byte>()); // 300 wraps modulo 256
        using var h = i.half();
        Assert.Equal(ScalarType.Float16, h.dtype);
        Assert.Equal(new float[] { 3, 300 }, h.ToArray<float>());
    }

    [Fact]
    public void ElementSizesMatchBytes()
    {
        foreach (var dt in new[] { torch.float32, torch.float64, torch.bfloat16, torch.float16, torch.int64, torch.int32, torch.uint8, torch.@bool })
        {
            using var t = torch.zeros([3], dt);
            Assert.Equal(dt, t.dtype);
            Assert.Equal(3 * dt.ElementSize(), t.ToBytes().Length);
            Assert.Equal(new double[3], t.ToArray<double>());
        }
    }

    [Fact]
    public void ScalarTypeNamesFollowPyTorch()
    {
        Assert.Equal("uint8", ScalarType.Byte.Name());
        Assert.Equal("bfloat16", ScalarType.BFloat16.Name());
        Assert.Equal("float32", ScalarType.Float32.Name());
        Assert.True(ScalarType.BFloat16.IsFloatingPoint());
        Assert.False(ScalarType.Int64.IsFloatingPoint());
    }
}
