using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

/// <summary>
/// The depthwise convolution whose weight gradient is the project's kernel (native/depthwise_conv.cpp)
/// against libtorch's conv2d: the output, the input gradient and the bias gradient, which are
/// libtorch's own calls on both paths, and the weight gradient, within 1e-5 of libtorch's largest
/// value, on odd shapes, strides, paddings and dilations in NCHW, NHWC and strided layouts.
/// <c>kernel: true</c> fails when the kernel does not apply, so every comparison runs it.
/// </summary>
public class DepthwiseConvTests
{
    private const double Tolerance = 1e-5;

    public sealed record Case(long[] Shape, (long h, long w) Kernel, (long h, long w) Stride, (long h, long w) Padding, (long h, long w) Dilation,
        string Layout, bool Bias)
    {
        public override string ToString() =>
            $"[{string.Join(",", Shape)}] k{Kernel} s{Stride} p{Padding} d{Dilation} {Layout}{(Bias ? " bias" : "")}";
    }

    public static IEnumerable<object[]> Cases() => new Case[]
    {
        new([4, 1, 5, 7], (3, 3), (1, 1), (1, 1), (1, 1), "nchw", false), // one channel
        new([1, 3, 6, 5], (3, 3), (2, 2), (1, 1), (1, 1), "nchw", false), // a batch of one, stride 2 on odd sizes
        new([2, 5, 9, 11], (5, 5), (1, 1), (2, 2), (1, 1), "nchw", true),
        new([2, 5, 10, 9], (3, 5), (2, 1), (1, 2), (1, 1), "nchw", false), // rectangular kernel, stride and padding
        new([2, 3, 8, 8], (3, 3), (1, 1), (0, 0), (1, 1), "nchw", false), // no padding
        new([2, 4, 40, 37], (3, 3), (1, 1), (1, 1), (1, 1), "nchw", false), // rows longer than the 16 lanes, with a remainder
        new([3, 7, 1, 1], (3, 3), (1, 1), (1, 1), (1, 1), "nhwc", false), // 1x1 maps: only the centre tap sees the image
        new([2, 24, 7, 5], (3, 3), (2, 2), (1, 1), (1, 1), "nhwc", false),
        new([1, 19, 6, 6], (5, 5), (1, 1), (2, 2), (1, 1), "nhwc", true),
        new([2, 130, 4, 4], (3, 3), (1, 1), (1, 1), (1, 1), "nhwc", false), // over 128 channels: split into channel ranges
        new([3, 6, 9, 8], (3, 3), (1, 1), (2, 2), (2, 2), "nhwc", false), // dilated, as DARTS's dil_conv
        new([5, 16, 3, 3], (5, 5), (2, 2), (2, 2), (1, 1), "nhwc", false), // a kernel larger than the map
        new([2, 4, 6, 8], (3, 3), (1, 1), (1, 1), (1, 1), "strided", true),
        new([3, 4, 5, 6], (3, 3), (2, 2), (1, 1), (1, 1), "permuted", false),
    }.Select(c => new object[] { c });

    private static Tensor Random(Random rng, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var v = new double[n];
        for (long i = 0; i < n; i++) v[i] = rng.NextDouble() * 2 - 1;
        using var t = torch.tensor(v, shape);
        return t.to(ScalarType.Float32);
    }

    private static Tensor Input(Random rng, long[] s, string layout)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = layout switch
        {
            "nhwc" => Random(rng, s).contiguous(MemoryFormat.ChannelsLast),
            "strided" => Random(rng, [s[0], s[1], s[2], s[3] * 2]).narrow(3, 1, s[3]),
            "permuted" => Random(rng, [s[0], s[2], s[3], s[1]]).permute(0, 3, 1, 2),
            _ => Random(rng, s),
        };
        return x.MoveToOuterDisposeScope();
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) =>
        Check.CloseToLargest(expected, actual, what, Tolerance, "kernel - libtorch");

    private sealed record Run(Tensor Output, Tensor InputGrad, Tensor WeightGrad, Tensor? BiasGrad);

    private static Run Forward(Case c, Tensor x0, Tensor w0, Tensor? b0, Tensor upstream, bool kernel)
    {
        using var scope = torch.NewDisposeScope();
        var x = x0.detach().requires_grad_();
        var w = w0.detach().clone().requires_grad_();
        var b = b0?.detach().clone().requires_grad_();
        var y = F.depthwise_conv2d(x, w, b, c.Stride, c.Padding, c.Dilation, kernel);
        (y * upstream).sum().backward();
        var run = new Run(y.detach(), x.grad!, w.grad!, b?.grad);
        foreach (var t in new[] { run.Output, run.InputGrad, run.WeightGrad, run.BiasGrad }) t?.MoveToOuterDisposeScope();
        return run;
    }

    [Theory, MemberData(nameof(Cases))]
    public void KernelMatchesLibtorch(Case c)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(c.GetHashCode() & 0xffff);
        var x = Input(rng, c.Shape, c.Layout);
        var w = Random(rng, [c.Shape[1], 1, c.Kernel.h, c.Kernel.w]);
        var b = c.Bias ? Random(rng, [c.Shape[1]]) : null;
        using var probe = F.depthwise_conv2d(x, w, b, c.Stride, c.Padding, c.Dilation, kernel: false);
        var upstream = Random(rng, probe.shape);
        var ours = Forward(c, x, w, b, upstream, kernel: true);
        var theirs = Forward(c, x, w, b, upstream, kernel: false);
        // The forward is libtorch's conv2d on both paths: the same bits.
        Assert.True(theirs.Output.equal(ours.Output), $"{c}: the outputs differ");
        Assert.Equal(theirs.Output.stride(), ours.Output.stride());
        AssertClose(theirs.InputGrad, ours.InputGrad, $"{c}: input gradient");
        AssertClose(theirs.WeightGrad, ours.WeightGrad, $"{c}: weight gradient");
        if (c.Bias) AssertClose(theirs.BiasGrad!, ours.BiasGrad!, $"{c}: bias gradient");
    }

    [Fact]
    public void WeightGradientIsExactOnAHandWorkedCase()
    {
        // x = 1..16 in one 4x4 channel, dy all ones on the 2x2 output of a 3x3 kernel, stride 2, padding 1:
        // dW[i, j] = sum over the 2x2 outputs of x at (2*oh - 1 + i, 2*ow - 1 + j), zero outside.
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(1, 17, dtype: ScalarType.Float32).view(1, 1, 4, 4).requires_grad_();
        var w = torch.zeros([1, 1, 3, 3]).requires_grad_();
        var y = F.depthwise_conv2d(x, w, null, (2, 2), (1, 1), (1, 1), kernel: true);
        y.sum().backward();
        var expected = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int oh = 0; oh < 2; oh++)
                    for (int ow = 0; ow < 2; ow++)
                    {
                        int ih = 2 * oh - 1 + i, iw = 2 * ow - 1 + j;
                        if (ih is >= 0 and < 4 && iw is >= 0 and < 4) expected[i * 3 + j] += ih * 4 + iw + 1;
                    }
        Assert.Equal(expected, w.grad!.to(ScalarType.Float64).data<double>());
    }

    [Fact]
    public void DoubleBackwardGoesThroughLibtorch()
    {
        // create_graph: a gradient of the weight gradient, as a gradient penalty takes it.
        using var scope = torch.NewDisposeScope();
        var rng = new Random(3);
        var x0 = Random(rng, [2, 5, 6, 6]).contiguous(MemoryFormat.ChannelsLast);
        var w0 = Random(rng, [5, 1, 3, 3]);
        Tensor Penalty(bool kernel)
        {
            var x = x0.detach().requires_grad_();
            var w = w0.detach().clone().requires_grad_();
            var y = F.depthwise_conv2d(x, w, null, (1, 1), (1, 1), (1, 1), kernel);
            var gw = torch.autograd.grad([(y * y).sum()], [w], create_graph: true)[0]!;
            (gw * gw).sum().backward();
            return x.grad!;
        }
        AssertClose(Penalty(false), Penalty(true), "d/dx of |dL/dW|^2");
    }

    [Fact]
    public void KernelRefusesWhatItDoesNotApplyTo()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros([1, 4, 5, 5], dtype: ScalarType.Float64);
        var w = torch.zeros([4, 1, 3, 3], dtype: ScalarType.Float64);
        var e = Assert.Throws<TorchException>(() => F.depthwise_conv2d(x, w, null, (1, 1), (1, 1), (1, 1), kernel: true));
        Assert.Contains("float32", e.Message);
        var wrong = torch.zeros([4, 2, 3, 3]);
        e = Assert.Throws<TorchException>(() => F.depthwise_conv2d(torch.zeros([1, 4, 5, 5]), wrong, null, (1, 1), (1, 1), (1, 1), kernel: true));
        Assert.Contains("(C, 1, kh, kw)", e.Message);
        // Where it does not apply and nobody asked for it, libtorch's conv2d runs.
        using var y = F.depthwise_conv2d(x, w, null, (1, 1), (1, 1), (1, 1));
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [Fact]
    public void Conv2dTakesTheKernelForDepthwiseWeightsWhenSwitchedOn()
    {
        using var scope = torch.NewDisposeScope();
        var conv = torch.nn.Conv2d(8, 8, 3, padding: 1, groups: 8, bias: false);
        var full = torch.nn.Conv2d(8, 8, 3, padding: 1, bias: false);
        var x = torch.randn([2, 8, 6, 6]).requires_grad_();
        long Calls(bool on, Modules.Conv2d layer)
        {
            bool was = torch.depthwise_conv_kernel_enabled;
            torch.depthwise_conv_kernel_enabled = on;
            try
            {
                using var profiler = OperatorProfiler.Start();
                using var inner = torch.NewDisposeScope();
                layer.call(x).sum().backward();
                return profiler.Stop().Where(o => o.Name == "research::depthwise_conv2d_backward").Sum(o => o.Calls);
            }
            finally { torch.depthwise_conv_kernel_enabled = was; }
        }
        Assert.Equal(1, Calls(true, conv));
        Assert.Equal(0, Calls(false, conv));
        Assert.Equal(0, Calls(true, full)); // not depthwise
    }
}
