namespace Research.Torch.Tests;

public class ConversionTests
{
    [Fact]
    public void CloneIsIndependent()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var c = a.clone();
        c.add_(10);
        Assert.Equal(new float[] { 1, 2, 3 }, a.ToArray<float>());
        Assert.Equal(new float[] { 11, 12, 13 }, c.ToArray<float>());
    }

    [Fact]
    public void CloneKeepsTheGraphDetachDropsIt()
    {
        using var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        using var c = x.clone();
        Assert.True(c.requires_grad);
        Assert.False(c.is_leaf);
        using var d = x.detach();
        Assert.False(d.requires_grad);
        Assert.True(d.is_leaf);

        // detach shares storage: writing to it changes x.
        d.mul_(3);
        Assert.Equal(new double[] { 3, 6 }, x.ToArray<double>());

        // Gradients flow through clone but not through detach.
        using var y = (c * c).sum() + (d * x).sum();
        y.backward();
        using var g = x.grad!;
        Check.Close([2 * 1 + 3, 2 * 2 + 6], g); // 2c (c was cloned before the write) + d
    }

    [Fact]
    public void ContiguousRewritesTheLayout()
    {
        using var m = torch.arange(6).view(2, 3);
        using var t = m.t();
        Assert.False(t.is_contiguous());
        Assert.Equal(new long[] { 1, 3 }, t.stride());
        using var c = t.contiguous();
        Assert.True(c.is_contiguous());
        Assert.Equal(new long[] { 2, 1 }, c.stride());
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, c.ToArray<long>());
        // Already contiguous: same values.
        using var again = c.contiguous();
        Assert.True(again.equal(c));
    }

    [Fact]
    public void ChannelsLastKeepsShapeAndValues()
    {
        using var x = torch.arange(0, 24, 1, torch.float32).view(1, 2, 3, 4);
        using var cl = x.to_channels_last();
        Assert.Equal(new long[] { 1, 2, 3, 4 }, cl.shape);
        Assert.Equal(new long[] { 24, 1, 8, 2 }, cl.stride());
        Assert.True(cl.equal(x));
    }

    /// <summary>
    /// With one channel both layouts are "contiguous", and contiguous(ChannelsLast) would keep NCHW
    /// strides, which convolutions then read as NCHW; the conversion must restride.
    /// </summary>
    [Fact]
    public void ChannelsLastRestridesASingleChannelTensor()
    {
        using var x = torch.arange(0, 9, 1, torch.float32).view(1, 1, 3, 3);
        using var cl = x.to_channels_last();
        Assert.Equal(new long[] { 9, 1, 3, 1 }, cl.stride());
        Assert.True(cl.equal(x));
    }

    [Fact]
    public void ModuleToChannelsLastConvertsConvWeightsAndConvOutputsFollow()
    {
        torch.manual_seed(0);
        using var conv = torch.nn.Conv2d(1, 4, 3, padding: 1);
        using var bn = torch.nn.BatchNorm2d(4);
        using var x = torch.randn(2, 1, 5, 5);
        using var before = conv.call(x);
        conv.to(MemoryFormat.ChannelsLast);
        bn.to(MemoryFormat.ChannelsLast);
        Assert.Equal(new long[] { 9, 1, 3, 1 }, conv.weight.stride());
        Assert.Equal(1, conv.bias!.dim()); // 1-d tensors are left alone
        Assert.True(bn.weight!.is_contiguous());
        using var after = conv.call(x);
        Assert.True(after.is_channels_last());
        Assert.False(after.is_contiguous());
        Assert.True(after.allclose(before, rtol: 1e-5, atol: 1e-6));
        using var y = bn.call(after);
        Assert.True(y.is_channels_last());
        y.sum().backward();
        Assert.Equal(conv.weight.shape, conv.weight.grad!.shape);
        // Back to NCHW: values unchanged, strides contiguous again.
        conv.to(MemoryFormat.Contiguous);
        Assert.Equal(new long[] { 9, 9, 3, 1 }, conv.weight.stride());
    }

    /// <summary>The binding keeps freed tensor memory in glibc's heap unless the user opted out.</summary>
    [Fact]
    public void HostAllocatorIsTunedUnlessTheUserChoseOtherwise()
    {
        bool userChose = Environment.GetEnvironmentVariable("RESEARCH_MALLOC") == "system"
            || new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" }.Any(v => Environment.GetEnvironmentVariable(v) is not null);
        Assert.Equal(OperatingSystem.IsLinux() && !userChose, torch.host_allocator_tuned);
        Assert.Equal((32L << 20, 1L << 30, 0L), torch.host_allocator_thresholds);
    }

    [Fact]
    public void ToDtypeConvertsAndToSameDtypeKeepsValues()
    {
        using var f = torch.tensor(new float[] { 1.5f, -2.5f });
        using var d = f.to(torch.float64);
        Assert.Equal(ScalarType.Float64, d.dtype);
        Assert.Equal(new double[] { 1.5, -2.5 }, d.ToArray<double>());
        using var same = f.to(torch.float32);
        Assert.Equal(ScalarType.Float32, same.dtype);
        Assert.Equal(new float[] { 1.5f, -2.5f }, same.ToArray<float>());
        using var copy = f.to(torch.float32, copy: true);
        copy.zero_();
        Assert.Equal(new float[] { 1.5f, -2.5f }, f.ToArray<float>());
        using var cpu = f.to("cpu");
        Assert.Equal(Device.CPU.Type, cpu.device.Type);
    }

    [Fact]
    public void ItemConverts()
    {
        using var f = torch.full([], 2.75);
        Assert.Equal(2.75f, f.item<float>());
        Assert.Equal(2.75, f.item<double>());
        Assert.Equal((Half)2.75f, f.item<Half>());
        Assert.Equal(2L, f.item<long>());
        using var many = torch.zeros(2);
        Assert.Throws<TorchException>(() => many.item<float>());
    }

    [Fact]
    public void DevicesParse()
    {
        Assert.Equal(Device.CPU, Device.Parse("cpu"));
        Assert.Equal(Device.Cuda(1), Device.Parse(" CUDA:1 "));
        Assert.Equal("cuda:1", Device.Cuda(1).ToString());
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        using var t = torch.zeros(1);
        Assert.Equal(DeviceType.CPU, t.device.Type);
        Assert.False(t.is_cuda);
    }
}
