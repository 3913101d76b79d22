namespace Research.Torch.Tests;

public sealed class AutocastTests
{
    [Fact]
    public void CpuAutocastRunsLinearAndMatmulInBFloat16()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 8);
        var w = torch.randn(3, 8);
        var b = torch.randn(3);
        var reference = torch.nn.functional.linear(x, w, b);
        Assert.Equal(ScalarType.Float32, reference.dtype);
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));

        using (torch.autocast(DeviceType.CPU))
        {
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            var y = torch.nn.functional.linear(x, w, b);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.Equal(ScalarType.BFloat16, x.matmul(w.t()).dtype);
            // Same values up to bfloat16's precision (8 significant bits).
            Assert.True(y.to(ScalarType.Float32).allclose(reference, rtol: 0.05, atol: 0.1));
            // Inputs are not changed.
            Assert.Equal(ScalarType.Float32, x.dtype);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, torch.nn.functional.linear(x, w, b).dtype);
        Assert.Equal(ScalarType.Float32, x.matmul(w.t()).dtype);
    }

    [Fact]
    public void GradientsFlowBackToFloat32Parameters()
    {
        using var scope = torch.NewDisposeScope();
        using var fc = torch.nn.Linear(4, 2);
        var x = torch.randn(3, 4);
        Tensor loss;
        using (torch.autocast(DeviceType.CPU))
        {
            var y = fc.call(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            loss = y.to(ScalarType.Float32).square().sum();
        }
        loss.backward();
        Assert.Equal(ScalarType.Float32, fc.weight.grad!.dtype);
        Assert.Equal(ScalarType.Float32, fc.bias!.grad!.dtype);
        // d(Σy²)/db = 2·Σ_rows y, to bfloat16 precision.
        using var y32 = fc.forward(x);
        Assert.True(fc.bias.grad.allclose(y32.sum(0) * 2, rtol: 0.05, atol: 0.1));
    }

    [Fact]
    public void ScopesNestAndRestore()
    {
        using var scope = torch.NewDisposeScope();
        using var fc = torch.nn.Linear(4, 2);
        var x = torch.randn(3, 4);
        using (torch.autocast(DeviceType.CPU))
        {
            using (torch.autocast(DeviceType.CPU, enabled: false))
            {
                Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
                Assert.Equal(ScalarType.Float32, fc.call(x).dtype);
            }
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            Assert.Equal(ScalarType.BFloat16, fc.call(x).dtype);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, fc.call(x).dtype);
        // CPU autocast leaves CUDA's setting alone.
        Assert.False(torch.is_autocast_enabled(DeviceType.CUDA));
    }

    [Fact]
    public void ScopesRestoreTheEnclosingDtype()
    {
        // Only flags are set here, no op runs: this works without a GPU.
        Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(DeviceType.CPU));
        using (torch.autocast(DeviceType.CUDA, ScalarType.BFloat16))
        {
            Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(DeviceType.CUDA));
            using (torch.autocast(DeviceType.CUDA, ScalarType.Float16))
            {
                Assert.True(torch.is_autocast_enabled(DeviceType.CUDA));
                Assert.Equal(ScalarType.Float16, torch.get_autocast_dtype(DeviceType.CUDA));
            }
            Assert.True(torch.is_autocast_enabled(DeviceType.CUDA));
            Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(DeviceType.CUDA));
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CUDA));
        Assert.Equal(ScalarType.Float16, torch.get_autocast_dtype(DeviceType.CUDA));
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
    }

    [Fact]
    public void ARejectedDtypeLeavesAutocastOff()
    {
        Assert.Throws<ArgumentException>(() => torch.autocast(DeviceType.CPU, ScalarType.Float64));
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        // libtorch 1.13's CPU autocast takes only bfloat16 (later versions also float16):
        // either way, CPU autocast is off once this is over.
        try
        {
            using (torch.autocast(DeviceType.CPU, ScalarType.Float16)) Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
        }
        catch (TorchException e)
        {
            Assert.Contains("Bfloat16", e.Message);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(DeviceType.CPU));
    }
}
