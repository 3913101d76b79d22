using Research.Models.Networks;
using Research.Models.Specs;
using Research.Models.Zoo;
using Research.Torch;

namespace Research.Models.Tests;

/// <summary>
/// One training step (forward, cross entropy, backward) of a fresh copy of a network, for the tests
/// that compare a kernel of ours with libtorch's path: the loss, every parameter's gradient and
/// every floating-point buffer (as float64), and how many times the profiled operator ran.
/// </summary>
internal sealed record TrainingStepProbe(double Loss, Dictionary<string, Tensor> Values, long Calls) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in Values.Values) t.Dispose();
    }

    /// <summary>
    /// A zoo model at width 0.5 for small input, without dropout or drop-connect (the steps must draw
    /// nothing from the global generator), and a seeded batch for it in float64 with labels 0..9 in turn.
    /// </summary>
    public static (NetworkSpec Spec, Tensor Images, Tensor Labels) Setup(string model, int inChannels, int size, int batch)
    {
        var spec = ModelRegistry.Default.Create(model, new ModelOptions { WidthMultiplier = 0.5, SmallInput = true, Classes = 10, InChannels = inChannels, Resolution = size });
        spec = spec with { DropConnect = 0, Head = spec.Head with { Dropout = 0 } };
        var rng = new Random(42);
        var images = new double[batch * inChannels * size * size];
        for (int i = 0; i < images.Length; i++) images[i] = rng.NextDouble() * 2 - 1;
        return (spec, torch.tensor(images, [batch, inChannels, size, size]), torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray(), [batch]));
    }

    /// <summary>Builds <paramref name="spec"/> with <paramref name="initial"/>'s weights in <paramref name="dtype"/> and steps it once.</summary>
    public static TrainingStepProbe Run(NetworkSpec spec, Torch.Modules.Module initial, Tensor x64, Tensor labels, ScalarType dtype, bool channelsLast,
        string profiledOperator)
    {
        using var net = NetworkBuilder.Build(spec);
        var state = initial.state_dict();
        try { net.load_state_dict(state); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        net.to(dtype);
        using var x0 = x64.to(dtype);
        using var x = channelsLast ? x0.contiguous(MemoryFormat.ChannelsLast) : x0.alias();
        if (channelsLast) net.to(MemoryFormat.ChannelsLast);
        net.train();
        using var profiler = OperatorProfiler.Start();
        using var scope = torch.NewDisposeScope();
        var loss = torch.nn.functional.cross_entropy(net.call(x), labels);
        loss.backward();
        var calls = profiler.Stop().Where(o => o.Name == profiledOperator).Sum(o => o.Calls);
        var values = new Dictionary<string, Tensor>();
        foreach (var (name, p) in net.named_parameters()) values["grad " + name] = p.grad!.detach().to(ScalarType.Float64).DetachFromDisposeScope();
        foreach (var (name, b) in net.named_buffers())
            if (b.dtype.IsFloatingPoint()) values[name] = b.detach().to(ScalarType.Float64).DetachFromDisposeScope();
        return new TrainingStepProbe(loss.item<double>(), values, calls);
    }
}
