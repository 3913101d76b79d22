using Research.Torch.Modules;
using F = Research.Torch.torch.nn.functional;

namespace Research.Torch.Tests;

/// <summary>
/// The fused batch norm + activation kernel (native/batch_norm_act.cpp) against libtorch's batch
/// norm and activation: outputs, gradients of input, weight and bias, and running statistics,
/// each within 1e-5 of the unfused tensor's largest magnitude. <c>fused: true</c> fails when the
/// fused kernel does not apply, so every comparison runs it.
/// </summary>
public class BatchNormActTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Activations() =>
        Enum.GetValues<BatchNormActivation>().Select(a => new object[] { a });

    // (N, C, H, W) and how the input is laid out: odd channel counts, a batch of one, 1x1 maps.
    private static readonly (long[] Shape, string Layout)[] Cases =
    [
        ([4, 1, 5, 7], "nchw"),
        ([1, 3, 6, 5], "nchw"),
        ([2, 5, 9, 11], "nchw"),
        ([3, 3, 1, 1], "nchw"),
        ([2, 3, 7, 5], "nhwc"),
        ([1, 19, 6, 6], "nhwc"),
        ([5, 1, 4, 3], "nhwc"),
        // Channels that are not a multiple of 16: rows are regrouped R at a time (R = 2 and 4), over several
        // blocks and row ranges, with rows left over at the end of each range.
        ([7, 24, 19, 21], "nhwc"),
        ([3, 12, 9, 9], "nhwc"),
        ([2, 3, 6, 8], "strided"),
        ([3, 4, 5, 6], "permuted"),
    ];

    private static Tensor Random(Random rng, long[] shape, double scale = 1, double offset = 0)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var v = new double[n];
        for (long i = 0; i < n; i++) v[i] = offset + scale * (rng.NextDouble() * 2 - 1);
        using var t = torch.tensor(v, shape);
        return t.to(ScalarType.Float32);
    }

    /// <summary>The input in the case's layout: contiguous, channels-last, a strided view or a permuted one.</summary>
    private static Tensor Input(Random rng, long[] shape, string layout)
    {
        using var scope = torch.NewDisposeScope();
        // Offset and scaled so that the statistics matter and the activations' kinks are crossed.
        Tensor x = layout switch
        {
            "nhwc" => Random(rng, shape, 3, 0.7).contiguous(MemoryFormat.ChannelsLast),
            "strided" => Random(rng, [shape[0], shape[1], shape[2], shape[3] * 2], 3, 0.7).narrow(3, 1, shape[3]),
            "permuted" => Random(rng, [shape[0], shape[2], shape[3], shape[1]], 3, 0.7).permute(0, 3, 1, 2),
            _ => Random(rng, shape, 3, 0.7),
        };
        return x.MoveToOuterDisposeScope();
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) =>
        Check.CloseToLargest(expected, actual, what, Tolerance, "fused - unfused");

    private sealed record Run(Tensor Output, Tensor? InputGrad, Tensor? WeightGrad, Tensor? BiasGrad, Tensor RunningMean, Tensor RunningVar);

    private static Run Forward(Tensor x0, Tensor w0, Tensor b0, Tensor rm0, Tensor rv0, Tensor upstream, BatchNormActivation act, bool training, bool fused)
    {
        using var scope = torch.NewDisposeScope();
        var x = x0.detach().requires_grad_();
        var w = w0.detach().clone().requires_grad_();
        var b = b0.detach().clone().requires_grad_();
        var rm = rm0.clone();
        var rv = rv0.clone();
        var y = F.batch_norm_act(x, rm, rv, w, b, act, training, momentum: 0.3, eps: 1e-3, fused: fused);
        (y * upstream).sum().backward();
        var run = new Run(y.detach(), x.grad, w.grad, b.grad, rm, rv);
        foreach (var t in new[] { run.Output, run.InputGrad, run.WeightGrad, run.BiasGrad, run.RunningMean, run.RunningVar })
            t?.MoveToOuterDisposeScope();
        return run;
    }

    private static void CompareFusedWithUnfused(long[] shape, string layout, BatchNormActivation act, bool training, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var rng = new Random(seed);
        long c = shape[1];
        var x = Input(rng, shape, layout);
        var w = Random(rng, [c], 0.8, 1);
        var b = Random(rng, [c], 0.5);
        var rm = Random(rng, [c], 0.5);
        using var rvRaw = Random(rng, [c], 0.4, 1);
        var rv = rvRaw.abs();
        var upstream = Random(rng, shape);
        var fused = Forward(x, w, b, rm, rv, upstream, act, training, fused: true);
        var unfused = Forward(x, w, b, rm, rv, upstream, act, training, fused: false);
        string what = $"{act} {(training ? "train" : "eval")} [{string.Join(", ", shape)}] {layout}";
        AssertClose(unfused.Output, fused.Output, $"{what}: output");
        AssertClose(unfused.InputGrad!, fused.InputGrad!, $"{what}: input gradient");
        AssertClose(unfused.WeightGrad!, fused.WeightGrad!, $"{what}: weight gradient");
        AssertClose(unfused.BiasGrad!, fused.BiasGrad!, $"{what}: bias gradient");
        AssertClose(unfused.RunningMean, fused.RunningMean, $"{what}: running mean");
        AssertClose(unfused.RunningVar, fused.RunningVar, $"{what}: running variance");
        if (training) Assert.False(rm.equal(fused.RunningMean), $"{what}: the running mean was not updated");
        else Assert.True(rm.equal(fused.RunningMean), $"{what}: eval changed the running mean");
        // Same memory layout out as in (channels-last stays channels-last).
        Assert.Equal(unfused.Output.stride(), fused.Output.stride());
    }

    [Theory, MemberData(nameof(Activations))]
    public void TrainingMatchesUnfusedOnOddShapesAndLayouts(BatchNormActivation act)
    {
        for (int i = 0; i < Cases.Length; i++) CompareFusedWithUnfused(Cases[i].Shape, Cases[i].Layout, act, training: true, seed: 100 + i);
    }

    [Theory, MemberData(nameof(Activations))]
    public void EvalMatchesUnfusedOnOddShapesAndLayouts(BatchNormActivation act)
    {
        for (int i = 0; i < Cases.Length; i++) CompareFusedWithUnfused(Cases[i].Shape, Cases[i].Layout, act, training: false, seed: 200 + i);
    }

    [Theory, MemberData(nameof(Activations))]
    public void LargerMapsSpanSeveralBlocksAndThreads(BatchNormActivation act)
    {
        // 48x48 maps (2,304 values a plane: more than one 2,048-float block) and 300 rows of NHWC per thread part.
        CompareFusedWithUnfused([3, 4, 48, 48], "nchw", act, training: true, seed: 7);
        CompareFusedWithUnfused([3, 4, 48, 48], "nhwc", act, training: true, seed: 8);
    }

    [Fact]
    public void StatisticsStayExactWithALargeMeanOffset()
    {
        // A mean 200 times the spread, where a float sum of squares would lose the variance: with
        // momentum 1 the running statistics are the batch's (the variance unbiased), against float64.
        using var scope = torch.NewDisposeScope();
        var rng = new Random(3);
        foreach (var format in new[] { MemoryFormat.Contiguous, MemoryFormat.ChannelsLast })
        {
            var x = (Random(rng, [8, 2, 16, 16]) * 0.5 + 100).contiguous(format);
            var rm = torch.zeros([2]);
            var rv = torch.ones([2]);
            F.batch_norm_act(x, rm, rv, null, null, BatchNormActivation.None, training: true, momentum: 1, fused: true);
            var x64 = x.to(ScalarType.Float64);
            AssertClose(x64.mean([0L, 2L, 3L]), rm, $"{format} batch mean");
            AssertClose(x64.var([0L, 2L, 3L], unbiased: true), rv, $"{format} unbiased batch variance");
        }
    }

    [Fact]
    public void DoubleBackwardMatchesUnfused()
    {
        // create_graph: the fused function's backward goes through libtorch's differentiable ops.
        using var scope = torch.NewDisposeScope();
        var rng = new Random(11);
        var x0 = Input(rng, [2, 3, 4, 5], "nchw");
        var w0 = Random(rng, [3], 0.5, 1);
        var upstream = Random(rng, [2, 3, 4, 5]);
        Tensor SecondOrder(bool fused)
        {
            var x = x0.detach().requires_grad_();
            var w = w0.detach().clone().requires_grad_();
            var y = F.batch_norm_act(x, null, null, w, null, BatchNormActivation.SiLU, training: true, fused: fused);
            var gx = torch.autograd.grad([(y * upstream).sum()], [x], create_graph: true)[0]!;
            return torch.autograd.grad([(gx * gx).sum()], [w])[0]!;
        }
        AssertClose(SecondOrder(fused: false), SecondOrder(fused: true), "gradient of the squared input gradient by the weight");
    }

    [Fact]
    public void OtherDtypesTakeTheUnfusedPathAndSayWhyWhenFusionIsRequired()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([2, 3, 4, 4], ScalarType.Float64);
        var e = Assert.Throws<TorchException>(() => F.batch_norm_act(x, null, null, null, null, BatchNormActivation.ReLU, training: true, fused: true));
        Assert.Contains("float32 CPU", e.Message);
        var auto = F.batch_norm_act(x, null, null, null, null, BatchNormActivation.ReLU, training: true);
        var unfused = F.relu(F.batch_norm(x, null, null, training: true));
        Assert.Equal(ScalarType.Float64, auto.dtype);
        AssertClose(unfused, auto, "float64 through the automatic choice");
        // One value per channel cannot be normalised in training: libtorch's path, not the kernel.
        var single = torch.randn([1, 3, 1, 1]);
        Assert.Throws<TorchException>(() => F.batch_norm_act(single, null, null, null, null, BatchNormActivation.None, training: true, fused: true));
    }

    [Fact]
    public void ModuleMatchesBatchNormThenActivationAndCountsBatches()
    {
        using var scope = torch.NewDisposeScope();
        using var fused = torch.nn.BatchNormAct(3, BatchNormActivation.HardSwish);
        using var bn = torch.nn.BatchNorm2d(3);
        var rng = new Random(5);
        var x = Input(rng, [4, 3, 5, 5], "nhwc");
        for (int step = 0; step < 3; step++)
            AssertClose(F.hardswish(bn.call(x)), fused.call(x), $"step {step}");
        Assert.Equal(3L, fused.Bn.num_batches_tracked!.item<long>());
        AssertClose(bn.running_var!, fused.Bn.running_var!, "running variance after three steps");
        Assert.Equal(["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], fused.state_dict().Keys);
        fused.eval();
        bn.eval();
        AssertClose(F.hardswish(bn.call(x)), fused.call(x), "eval");
    }

    [Fact]
    public void ActivationModulesMapToKernelCodes()
    {
        Assert.Equal(BatchNormActivation.None, BatchNormAct.ActivationOf(null));
        Assert.Equal(BatchNormActivation.ReLU6, BatchNormAct.ActivationOf(torch.nn.ReLU6()));
        Assert.Equal(BatchNormActivation.SiLU, BatchNormAct.ActivationOf(torch.nn.SiLU()));
        Assert.Null(BatchNormAct.ActivationOf(torch.nn.GELU()));
    }
}
