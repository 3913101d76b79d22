using Research.Models.Networks;
using Research.Models.Zoo;
using Research.Torch;
using Research.Torch.Optim;

namespace Research.Models.Tests;

/// <summary>
/// Whole networks trained with the fused batch norm + activation kernel and without it (ConvBnAct's
/// two paths): the same weights, data and steps give the same losses. The profiler proves which path ran.
/// </summary>
public class FusedBatchNormTrainingTests
{
    private const int Steps = 20;
    private const int Batch = 16;
    // 32x32 small-input networks end on 2x2 maps: 64 values a channel for the last batch norms, not
    // the 16 of 1x1 maps, whose statistics amplify differences in the last bits.
    private const int Size = 32;

    [Theory]
    [InlineData("mobilenet_v2", false)] // ReLU6 and none, NCHW
    [InlineData("mobilenet_v2", true)] // the same, NHWC
    [InlineData("mobilenet_v3_small", true)] // hard-swish, ReLU and none, NHWC
    [InlineData("efficientnet_b0", true)] // SiLU and none, NHWC
    public void TwentyStepsGiveTheSameLossesFusedAndUnfused(string model, bool channelsLast)
    {
        // No dropout or drop-connect: the two runs must draw nothing from the global generator.
        var spec = ModelRegistry.Default.Create(model, new ModelOptions { WidthMultiplier = 0.5, SmallInput = true, Classes = 10, InChannels = 1, Resolution = Size });
        spec = spec with { DropConnect = 0, Head = spec.Head with { Dropout = 0 } };
        using var initial = NetworkBuilder.Build(spec);
        var rng = new Random(42);
        // One batch, learnt by heart over the steps: the loss must fall, so both runs really train.
        var images = new double[Batch * Size * Size];
        for (int i = 0; i < images.Length; i++) images[i] = rng.NextDouble() * 2 - 1;
        var labels = Enumerable.Range(0, Batch).Select(i => (long)(i % 10)).ToArray();
        using var x0 = torch.tensor(images, [Batch, 1, Size, Size]).to(ScalarType.Float32);
        using var x = channelsLast ? x0.contiguous(MemoryFormat.ChannelsLast) : x0.alias();
        using var y = torch.tensor(labels, [Batch]);

        (double[] Losses, long FusedCalls) Train(bool fused)
        {
            bool was = torch.fused_batch_norm_act_enabled;
            torch.fused_batch_norm_act_enabled = fused;
            try
            {
                using var net = NetworkBuilder.Build(spec);
                var state = initial.state_dict();
                try { net.load_state_dict(state); }
                finally { foreach (var t in state.Values) t.Dispose(); }
                if (channelsLast) net.to(MemoryFormat.ChannelsLast);
                net.train();
                using var opt = new SGD(net.parameters(), lr: 0.02, momentum: 0.9, weight_decay: 1e-4);
                var losses = new double[Steps];
                using var profiler = OperatorProfiler.Start();
                for (int s = 0; s < Steps; s++)
                {
                    using var scope = torch.NewDisposeScope();
                    opt.zero_grad();
                    var loss = torch.nn.functional.cross_entropy(net.call(x), y);
                    loss.backward();
                    opt.step();
                    losses[s] = loss.item<double>();
                }
                var ops = profiler.Stop();
                return (losses, ops.Where(o => o.Name == "research::batch_norm_act").Sum(o => o.Calls));
            }
            finally
            {
                torch.fused_batch_norm_act_enabled = was;
            }
        }

        var (fusedLosses, fusedCalls) = Train(fused: true);
        var (unfusedLosses, unfusedCalls) = Train(fused: false);
        Assert.True(fusedCalls > 0, "the fused kernel never ran");
        Assert.Equal(0, unfusedCalls);
        for (int s = 0; s < Steps; s++)
            Assert.True(Math.Abs(fusedLosses[s] - unfusedLosses[s]) <= 1e-4 * Math.Abs(unfusedLosses[s]),
                $"{model} step {s}: fused loss {fusedLosses[s]:R}, unfused {unfusedLosses[s]:R}");
        Assert.True(fusedLosses[^1] < 0.9 * fusedLosses[0], $"{model}: the loss did not fall ({string.Join(", ", fusedLosses)})");
    }
}
