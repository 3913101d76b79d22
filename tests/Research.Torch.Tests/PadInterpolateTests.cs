using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class PadInterpolateTests
{
    [Fact]
    public void ConstantPadSurroundsWithValue()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        using var p = F.pad(x, [1, 1, 1, 1]);
        Check.Close([
            0, 0, 0, 0,
            0, 1, 2, 0,
            0, 3, 4, 0,
            0, 0, 0, 0], p, [1, 1, 4, 4]);

        // (left, right, top, bottom) = (2, 0, 0, 1), fill -1
        using var q = F.pad(x, [2, 0, 0, 1], value: -1);
        Check.Close([
            -1, -1, 1, 2,
            -1, -1, 3, 4,
            -1, -1, -1, -1], q, [1, 1, 3, 4]);

        // Only the last dim, on a 1-D tensor; a negative pad crops.
        using var v = torch.tensor(new float[] { 1, 2, 3 });
        using var pv = F.pad(v, [1, -1], value: 9);
        Check.Close([9, 1, 2], pv, [3]);
    }

    [Fact]
    public void ReflectPadMirrorsWithoutRepeatingTheEdge()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, [1, 1, 3, 3]);
        using var p = F.pad(x, [1, 1, 1, 1], PaddingMode.Reflect);
        Check.Close([
            5, 4, 5, 6, 5,
            2, 1, 2, 3, 2,
            5, 4, 5, 6, 5,
            8, 7, 8, 9, 8,
            5, 4, 5, 6, 5], p, [1, 1, 5, 5]);

        using var q = F.pad(x, [2, 0, 0, 0], PaddingMode.Reflect);
        Check.Close([
            3, 2, 1, 2, 3,
            6, 5, 4, 5, 6,
            9, 8, 7, 8, 9], q, [1, 1, 3, 5]);

        // Reflection needs pad < size.
        Assert.Throws<TorchException>(() => F.pad(x, [3, 3, 0, 0], PaddingMode.Reflect));
    }

    [Fact]
    public void ReplicatePadRepeatsTheEdge()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        using var p = F.pad(x, [1, 0, 0, 1], PaddingMode.Replicate);
        Check.Close([
            1, 1, 2,
            3, 3, 4,
            3, 3, 4], p, [1, 1, 3, 3]);
    }

    [Fact]
    public void PadNeedsPairs()
    {
        using var x = torch.zeros(1, 1, 2, 2);
        Assert.Throws<ArgumentException>(() => F.pad(x, [1, 1, 1]));
    }

    [Fact]
    public void NearestUpsamplingRepeatsPixels()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        using var y = F.interpolate(x, (4, 4));
        Check.Close([
            1, 1, 2, 2,
            1, 1, 2, 2,
            3, 3, 4, 4,
            3, 3, 4, 4], y, [1, 1, 4, 4]);

        // Downsampling picks floor(dst_index * scale): rows/cols 0 and 2 of a 4x4.
        using var big = torch.arange(0, 16, 1, torch.float32).view(1, 1, 4, 4);
        using var d = F.interpolate(big, (2, 2));
        Check.Close([0, 2, 8, 10], d, [1, 1, 2, 2]);
    }

    [Fact]
    public void BilinearUpsamplingMatchesPyTorch()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        // F.interpolate(x, size=(4, 4), mode='bilinear', align_corners=False) (PyTorch's documented example)
        using var y = F.interpolate(x, (4, 4), InterpolationMode.Bilinear);
        Check.Close([
            1.00, 1.25, 1.75, 2.00,
            1.50, 1.75, 2.25, 2.50,
            2.50, 2.75, 3.25, 3.50,
            3.00, 3.25, 3.75, 4.00], y, [1, 1, 4, 4], atol: 1e-6);

        // align_corners=True: corners stay, the interior is evenly spaced.
        using var a = F.interpolate(x, (3, 3), InterpolationMode.Bilinear, align_corners: true);
        Check.Close([
            1.0, 1.5, 2.0,
            2.0, 2.5, 3.0,
            3.0, 3.5, 4.0], a, [1, 1, 3, 3], atol: 1e-6);

        Assert.Throws<ArgumentException>(() => F.interpolate(x, (4, 4), InterpolationMode.Nearest, align_corners: true));
    }

    [Fact]
    public void PoolingValues()
    {
        using var x = torch.arange(0, 16, 1, torch.float32).view(1, 1, 4, 4);
        using (var m = F.max_pool2d(x, 2)) Check.Close([5, 7, 13, 15], m, [1, 1, 2, 2]);
        using (var a = F.avg_pool2d(x, 2)) Check.Close([2.5, 4.5, 10.5, 12.5], a, [1, 1, 2, 2]);
        using (var g = F.adaptive_avg_pool2d(x, 1)) Check.Close([7.5], g, [1, 1, 1, 1]);
        using var ones = torch.ones(1, 1, 2, 2);
        using (var a = F.avg_pool2d(ones, 2, stride: 1, padding: 1)) Check.Close([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25], a, [1, 1, 3, 3]);
        using (var a = F.avg_pool2d(ones, 2, stride: 1, padding: 1, count_include_pad: false)) Check.Close([1, 1, 1, 1, 1, 1, 1, 1, 1], a, [1, 1, 3, 3]);
        using (var m = F.max_pool2d(x, 3, stride: 1, padding: 1)) Check.Close([5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15], m, [1, 1, 4, 4]);
        // 4 -> 3 windows: [0,2), [1,3), [2,4) on each axis
        using (var g = F.adaptive_avg_pool2d(x, (3, 3)))
            Check.Close([2.5, 3.5, 4.5, 6.5, 7.5, 8.5, 10.5, 11.5, 12.5], g, [1, 1, 3, 3]);
    }
}
