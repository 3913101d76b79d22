using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

public class ErrorTests
{
    [Fact]
    public void Conv2dWithMismatchedChannelsThrowsAndTheProcessCarriesOn()
    {
        using var x = torch.ones(1, 2, 5, 5);
        using var w = torch.ones(4, 3, 3, 3);
        var ex = Assert.Throws<TorchException>(() => F.conv2d(x, w));
        Assert.Contains("channels", ex.Message);
        Assert.Contains("[1, 2, 5, 5]", ex.Message); // names the input shape
        Assert.DoesNotContain("Exception raised from", ex.Message); // no C++ backtrace

        // The engine still works: a valid convolution on the same input.
        using var ok = torch.ones(4, 2, 3, 3);
        using var y = F.conv2d(x, ok, padding: 1);
        Assert.Equal(new long[] { 1, 4, 5, 5 }, y.shape);
        using (var centre = y[0, 0, 2, 2]) Assert.Equal(18f, centre.item<float>()); // 2 channels x 9 ones
        using (var corner = y[0, 3, 0, 0]) Assert.Equal(8f, corner.item<float>()); // 2 x 4 in-bounds taps
    }

    [Fact]
    public void ErrorsOnSeveralThreadsKeepTheirOwnMessages()
    {
        // The native error text is thread-local; concurrent failures must not mix messages.
        var errors = new string[8];
        Parallel.For(0, errors.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var a = torch.zeros(i + 1);
            var e = Assert.Throws<TorchException>(() => a.view(i + 7, 3));
            errors[i] = e.Message;
        });
        for (int i = 0; i < errors.Length; i++)
            Assert.Contains($"[{i + 7}, 3]", errors[i]);
    }

    [Fact]
    public void ViewWithWrongElementCount()
    {
        using var t = torch.arange(6);
        var ex = Assert.Throws<TorchException>(() => t.view(4, 2));
        Assert.Contains("[4, 2]", ex.Message);
        Assert.Contains("6", ex.Message);
        Assert.Throws<TorchException>(() => t.reshape(5));
        using var ok = t.view(3, 2);
        Assert.Equal(new long[] { 3, 2 }, ok.shape);
    }

    [Fact]
    public void CatOfMismatchedShapes()
    {
        using var a = torch.zeros(2, 3);
        using var b = torch.zeros(2, 4);
        var ex = Assert.Throws<TorchException>(() => torch.cat([a, b], 0));
        Assert.Contains("Sizes of tensors must match", ex.Message);
        using var ok = torch.cat([a, b], 1);
        Assert.Equal(new long[] { 2, 7 }, ok.shape);
        Assert.Throws<TorchException>(() => torch.stack([a, b]));
    }

    [Fact]
    public void FromSpanShapeDataMismatch()
    {
        var ex = Assert.Throws<ArgumentException>(() => torch.from_span<float>(new float[5], [2, 3]));
        Assert.Contains("6", ex.Message);
        Assert.Contains("5", ex.Message);
        Assert.Throws<ArgumentException>(() => torch.tensor(new double[4], [2, -2]));
        Assert.Throws<ArgumentException>(() => torch.tensor(new long[3], [4]));
        using var ok = torch.from_span<float>(new float[6], [2, 3]);
        Assert.Equal(new long[] { 2, 3 }, ok.shape);
    }

    [Fact]
    public void OtherLibtorchErrorsBecomeTorchExceptions()
    {
        using var a = torch.zeros(2, 3);
        using var b = torch.zeros(2, 3);
        Assert.Throws<TorchException>(() => a.matmul(b));
        using var c = torch.zeros(4);
        Assert.Throws<TorchException>(() => a + c); // not broadcastable
        Assert.Throws<TorchException>(() => a.permute(0, 0));
        Assert.Throws<TorchException>(() => a.sum(5));
        Assert.Throws<TorchException>(() => torch.zeros([2], requires_grad: true).backward()); // not a scalar
        Assert.Throws<TorchException>(() => torch.tensor(new long[] { 1 }).requires_grad_()); // integers cannot require grad
        Assert.Throws<TorchException>(() => torch.arange(0, 1, 0, torch.float32)); // zero step
        using var f = torch.tensor(new float[] { 1 });
        Assert.Throws<TorchException>(() => F.cross_entropy(f.view(1, 1), torch.tensor(new long[] { 0, 0 })));
    }

    [Fact]
    public void BackwardTwiceWithoutRetainGraphFails()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        var ex = Assert.Throws<TorchException>(() => y.backward());
        Assert.Contains("second time", ex.Message);
    }

    [Fact]
    public void ArgumentChecksInCSharp()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.set_num_threads(0));
        Assert.Throws<ArgumentException>(() => torch.stack(Array.Empty<Tensor>()));
    }
}
