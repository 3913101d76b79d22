using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class CudaTests
{
    [Fact]
    public void AvailabilityIsConsistent()
    {
        if (torch.cuda.is_available())
        {
            Assert.True(torch.cuda.device_count() > 0);
        }
        else
        {
            Assert.Equal(0, torch.cuda.device_count());
            using var t = torch.ones(2);
            // Without CUDA, moving to the GPU fails with a libtorch error rather than crashing.
            Assert.Throws<TorchException>(() => t.to(Device.CUDA));
            Assert.Throws<TorchException>(() => torch.cuda.synchronize());
        }
    }

    [CudaFact]
    public void TensorRoundTripsThroughTheGpu()
    {
        using var scope = torch.NewDisposeScope();
        var cpu = torch.tensor(new float[] { 1, -2, 3.5f });
        var gpu = cpu.to(Device.CUDA);
        Assert.True(gpu.is_cuda);
        Assert.Equal(DeviceType.CUDA, gpu.device.Type);
        var doubled = gpu * 2;
        Assert.True(doubled.is_cuda);
        Assert.Equal(new float[] { 2, -4, 7 }, doubled.ToArray<float>()); // ToArray copies back
        var back = doubled.cpu();
        Assert.False(back.is_cuda);
        Assert.Contains("device='cuda", doubled.ToString());
    }

    [CudaFact]
    public void ConvolutionOnTheGpuMatchesTheCpu()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Data.Uniform(2 * 3 * 8 * 8, 1), [2, 3, 8, 8]);
        var w = torch.tensor(Data.Uniform(4 * 3 * 3 * 3, 2), [4, 3, 3, 3]);
        var b = torch.tensor(Data.Uniform(4, 3), [4]);
        var cpu = F.conv2d(x, w, b, padding: 1);
        var gpu = F.conv2d(x.cuda(), w.cuda(), b.cuda(), padding: 1);
        Assert.True(gpu.is_cuda);
        Check.Close(cpu.ToArray<double>(), gpu.cpu(), atol: 1e-9);
        torch.cuda.synchronize();
    }
}
