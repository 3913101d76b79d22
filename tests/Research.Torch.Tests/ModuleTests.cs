using Research.Torch.Modules;
using Research.Torch.Optim;

namespace Research.Torch.Tests;

public sealed class ModuleTests
{
    // ---- naming and registration ----

    [Fact]
    public void NestedSequentialHasDottedNamesInRegistrationOrder()
    {
        using var model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 2, 3),
            torch.nn.BatchNorm2d(2),
            torch.nn.ReLU(),
            torch.nn.Sequential(("inner", torch.nn.Conv2d(2, 2, 1, bias: false)), ("fc", torch.nn.Linear(2, 3))));

        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "3.inner.weight", "3.fc.weight", "3.fc.bias"],
            model.named_parameters().Select(x => x.name));
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], model.named_buffers().Select(x => x.name));
        Assert.Equal(["", "0", "1", "2", "3", "3.inner", "3.fc"], model.named_modules().Select(x => x.name));
        Assert.Equal(["0", "1", "2", "3"], model.named_children().Select(x => x.name));
        // state_dict: each module's parameters then its persistent buffers.
        var sd = model.state_dict();
        try
        {
            Assert.Equal(
                ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                 "3.inner.weight", "3.fc.weight", "3.fc.bias"],
                sd.Keys);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        // named_parameters hands out the module's own Parameter objects.
        Assert.Same(((Conv2d)model[0]).weight, model.named_parameters().First().parameter);
    }

    private class Net : Module<Tensor, Tensor>
    {
        // Declared deliberately out of alphabetical order.
        private readonly Linear _fc2;
        public readonly Parameter scale;
        private readonly Tensor _counter;
        private readonly Linear fc1;

        public Net() : base(nameof(Net))
        {
            fc1 = new Linear(2, 3);
            _fc2 = new Linear(3, 2);
            scale = new Parameter(torch.ones(1));
            _counter = torch.zeros([1], ScalarType.Int64);
            Head = new Identity();
            Initialise();
        }

        public Module Head { get; }

        protected virtual void Initialise() => RegisterComponents();

        public override Tensor forward(Tensor input) => _fc2.call(fc1.call(input)) * scale;
    }

    private sealed class DerivedNet : Net
    {
        private Linear? _extra;

        protected override void Initialise()
        {
            _extra = new Linear(1, 1);
            RegisterComponents();
        }
    }

    [Fact]
    public void RegisterComponentsUsesDeclarationOrderAndStripsUnderscores()
    {
        using var net = new Net();
        Assert.Equal(["fc2", "fc1", "Head"], net.named_children().Select(x => x.name));
        Assert.Equal(["scale", "fc2.weight", "fc2.bias", "fc1.weight", "fc1.bias"], net.named_parameters().Select(x => x.name));
        Assert.Equal(["counter"], net.named_buffers().Select(x => x.name));
    }

    [Fact]
    public void RegisterComponentsPutsBaseClassFieldsFirst()
    {
        using var net = new DerivedNet();
        Assert.Equal(["fc2", "fc1", "Head", "extra"], net.named_children().Select(x => x.name));
    }

    private sealed class Clash : Module
    {
        private readonly Parameter _w = new(torch.zeros(1));
        public readonly Parameter w = new(torch.zeros(1));

        public Clash() : base(nameof(Clash)) => RegisterComponents();
    }

    [Fact]
    public void DuplicateNamesThrow()
    {
        var e = Assert.Throws<ArgumentException>(() => new Clash());
        Assert.Contains("'w'", e.Message);

        using var seq = torch.nn.Sequential(("a", torch.nn.ReLU()));
        e = Assert.Throws<ArgumentException>(() => seq.append("a", torch.nn.Tanh()));
        Assert.Contains("'a'", e.Message);

        using var lin = torch.nn.Linear(2, 2);
        using var extra = new Parameter(torch.zeros(1));
        Assert.Throws<ArgumentException>(() => lin.register_parameter("weight", extra));
        Assert.Throws<ArgumentException>(() => lin.register_buffer("bias", null));
        Assert.Throws<ArgumentException>(() => lin.register_module("weight", torch.nn.ReLU()));
        Assert.Throws<ArgumentException>(() => lin.register_module("a.b", torch.nn.ReLU()));
        Assert.Throws<ArgumentException>(() => lin.register_module("", torch.nn.ReLU()));
        Assert.Equal(["weight", "bias"], lin.named_parameters().Select(x => x.name));
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        using var model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.BatchNorm2d(1)));
        Assert.All(model.named_modules(), x => Assert.True(x.module.training, x.name));
        model.eval();
        Assert.All(model.named_modules(), x => Assert.False(x.module.training, x.name));
        model.train();
        Assert.All(model.named_modules(), x => Assert.True(x.module.training, x.name));
        model.train(false);
        Assert.All(model.named_modules(), x => Assert.False(x.module.training, x.name));
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndMasksInTraining()
    {
        using var scope = torch.NewDisposeScope();
        using var drop = torch.nn.Dropout(0.5);
        var x = torch.ones(1000);
        var y = drop.call(x);
        var values = y.ToArray<float>();
        Assert.All(values, v => Assert.True(v == 0 || v == 2, $"{v}"));
        Assert.InRange(values.Count(v => v == 0), 350, 650);
        drop.eval();
        Assert.Equal(x.ToArray<float>(), drop.call(x).ToArray<float>());
    }

    // ---- BatchNorm ----

    [Fact]
    public void BatchNormUpdatesRunningStatsOnlyInTraining()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = torch.nn.BatchNorm2d(2, momentum: 0.1, dtype: ScalarType.Float64);
        // (N=2, C=2, H=1, W=2); channel 0 holds 1,2,3,4 and channel 1 holds 10,20,30,50.
        var x = torch.tensor(new double[] { 1, 2, 10, 20, 3, 4, 30, 50 }, [2, 2, 1, 2]);
        double[][] channel = [[1, 2, 3, 4], [10, 20, 30, 50]];
        var mean = channel.Select(c => c.Average()).ToArray();
        var biasedVar = channel.Select((c, i) => c.Sum(v => (v - mean[i]) * (v - mean[i])) / c.Length).ToArray();
        var unbiasedVar = biasedVar.Select(v => v * 4 / 3).ToArray();

        var y = bn.call(x);
        // running ← (1 − m)·running + m·batch (mean from 0, unbiased variance from 1).
        AssertClose(mean.Select(m => 0.1 * m).ToArray(), bn.running_mean!.ToArray<double>());
        AssertClose(unbiasedVar.Select(v => 0.9 + 0.1 * v).ToArray(), bn.running_var!.ToArray<double>());
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
        // Training output normalises with the batch statistics (biased variance).
        var yv = y.ToArray<double>();
        Assert.Equal((1 - mean[0]) / Math.Sqrt(biasedVar[0] + 1e-5), yv[0], 1e-12);
        Assert.Equal((50 - mean[1]) / Math.Sqrt(biasedVar[1] + 1e-5), yv[7], 1e-12);

        bn.call(x);
        Assert.Equal(2L, bn.num_batches_tracked.item<long>());
        var runningMean = bn.running_mean.ToArray<double>();
        var runningVar = bn.running_var.ToArray<double>();
        AssertClose(mean.Select(m => 0.9 * 0.1 * m + 0.1 * m).ToArray(), runningMean);

        bn.eval();
        var ye = bn.call(x).ToArray<double>();
        Assert.Equal(runningMean, bn.running_mean.ToArray<double>());
        Assert.Equal(runningVar, bn.running_var.ToArray<double>());
        Assert.Equal(2L, bn.num_batches_tracked.item<long>());
        // Eval output normalises with the running statistics.
        Assert.Equal((1 - runningMean[0]) / Math.Sqrt(runningVar[0] + 1e-5), ye[0], 1e-12);
        Assert.Equal((50 - runningMean[1]) / Math.Sqrt(runningVar[1] + 1e-5), ye[7], 1e-12);
    }

    // ---- dtype conversion ----

    [Fact]
    public void ToFloat64ConvertsInPlaceAndKeepsCounterInt64()
    {
        using var scope = torch.NewDisposeScope();
        using var model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 1));
        // Built before the cast, as the parameters it holds must stay the model's.
        using var opt = new SGD(model.parameters(), lr: 0.1, momentum: 0.9);
        model.call(torch.randn(2, 1, 4, 4)); // non-trivial running stats
        var before = model.named_parameters().ToList();
        var values = before.Select(x => x.parameter.ToArray<float>()).ToList();
        var bufferValues = model.named_buffers().Where(b => b.buffer.dtype == ScalarType.Float32).Select(b => b.buffer.ToArray<float>()).ToList();

        Assert.Same(model, model.to(ScalarType.Float64));

        var after = model.named_parameters().ToList();
        Assert.Equal(before.Select(x => x.name), after.Select(x => x.name));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Same(before[i].parameter, after[i].parameter);
            Assert.Equal(ScalarType.Float64, after[i].parameter.dtype);
            Assert.True(after[i].parameter.requires_grad);
            Assert.Equal(values[i].Select(v => (double)v), after[i].parameter.ToArray<double>());
        }
        var buffers = model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.Equal(ScalarType.Float64, buffers["1.running_mean"].dtype);
        Assert.Equal(ScalarType.Float64, buffers["1.running_var"].dtype);
        Assert.Equal(ScalarType.Int64, buffers["1.num_batches_tracked"].dtype);
        Assert.Equal(1L, buffers["1.num_batches_tracked"].item<long>());
        Assert.Equal(bufferValues[0].Select(v => (double)v), buffers["1.running_mean"].ToArray<double>());

        // The optimizer made before the cast still trains the model: p ← p − lr·g on its first step.
        var x = torch.randn([2, 1, 4, 4], ScalarType.Float64);
        var loss = model.call(x).square().sum();
        Assert.Equal(ScalarType.Float64, loss.dtype);
        loss.backward();
        var fc = (Linear)model[3];
        var w0 = fc.weight.ToArray<double>();
        var g = fc.weight.grad!;
        Assert.Equal(ScalarType.Float64, g.dtype);
        var gv = g.ToArray<double>();
        opt.step();
        var w1 = fc.weight.ToArray<double>();
        for (int i = 0; i < w0.Length; i++) Assert.Equal(w0[i] - 0.1 * gv[i], w1[i], 1e-12);
        Assert.NotEqual(w0, w1);
        Assert.Equal(2L, buffers["1.num_batches_tracked"].item<long>());
    }

    // ---- hooks ----

    [Fact]
    public void ForwardHookSeesInputAndOutputAndCanReplaceTheOutput()
    {
        using var scope = torch.NewDisposeScope();
        using var model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU());
        var fc = (Linear)model[0];
        var x = torch.tensor(new float[] { 1, -2, 3, 0.5f, 0.25f, -1 }, [2, 3]);
        var plain = model.call(x).ToArray<float>();
        var fcOut = fc.forward(x).ToArray<float>();

        Module? seenModule = null;
        float[]? seenIn = null, seenOut = null;
        using (fc.register_forward_hook((m, i, o) => { seenModule = m; seenIn = i.ToArray<float>(); seenOut = o.ToArray<float>(); }))
        {
            Assert.Equal(plain, model.call(x).ToArray<float>());
            Assert.Same(fc, seenModule);
            Assert.Equal(x.ToArray<float>(), seenIn);
            Assert.Equal(fcOut, seenOut);
        }

        var replace = fc.register_forward_hook((m, i, o) => torch.full([2, 2], -7.0f) + i.sum());
        // ReLU after the hook: relu(−7 + sum(x)) = relu(−5.25) = 0 everywhere.
        Assert.All(model.call(x).ToArray<float>(), v => Assert.Equal(0f, v));
        replace.Dispose();
        replace.Dispose(); // idempotent
        Assert.Equal(plain, model.call(x).ToArray<float>());

        // Hooks run in registration order, each seeing the previous one's output.
        using var first = fc.register_forward_hook((m, i, o) => o * 2);
        using var second = fc.register_forward_hook((m, i, o) => o + 1);
        Assert.Equal(fcOut.Select(v => v * 2 + 1), fc.call(x).ToArray<float>());
    }

    [Fact]
    public void ForwardPreHookCanReplaceTheInput()
    {
        using var scope = torch.NewDisposeScope();
        using var fc = torch.nn.Linear(3, 2);
        var x = torch.randn(4, 3);
        float[]? seen = null;
        using (fc.register_forward_pre_hook((m, i) => { seen = i.ToArray<float>(); return torch.zeros_like(i); }))
        {
            var y = fc.call(x);
            Assert.Equal(x.ToArray<float>(), seen);
            // Zero input: every row is the bias.
            var bias = fc.bias!.ToArray<float>();
            Assert.Equal(Enumerable.Repeat(bias, 4).SelectMany(b => b), y.ToArray<float>());
        }
        Assert.Equal(fc.forward(x).ToArray<float>(), fc.call(x).ToArray<float>());
    }

    // ---- initialisation ----

    [Fact]
    public void DefaultInitIsWithinOneOverSqrtFanIn()
    {
        using var conv = torch.nn.Conv2d(3, 16, 3);   // fan_in 27
        using var fc = torch.nn.Linear(50, 40);        // fan_in 50
        using var bn = torch.nn.BatchNorm2d(5);
        foreach (var (t, fanIn) in new (Tensor, int)[] { (conv.weight, 27), (conv.bias!, 27), (fc.weight, 50), (fc.bias!, 50) })
        {
            double bound = 1 / Math.Sqrt(fanIn);
            var v = t.ToArray<float>();
            Assert.All(v, x => Assert.InRange(x, -bound, bound));
            // Uniform over the whole range, not a narrower one: with 432 and 2000 weights the
            // extremes come within 10% of ±bound (missing both by chance: p < 1e-9).
            if (t.dim() > 1)
                Assert.True(v.Max() > 0.9 * bound && v.Min() < -0.9 * bound, $"range [{v.Min()}, {v.Max()}] vs bound {bound}");
        }
        Assert.All(bn.weight!.ToArray<float>(), x => Assert.Equal(1f, x));
        Assert.All(bn.bias!.ToArray<float>(), x => Assert.Equal(0f, x));
        Assert.All(bn.running_mean!.ToArray<float>(), x => Assert.Equal(0f, x));
        Assert.All(bn.running_var!.ToArray<float>(), x => Assert.Equal(1f, x));
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void KaimingNormalHasHeStd()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.empty(800, 500);
        torch.nn.init.kaiming_normal_(w, nonlinearity: "relu"); // std = √2/√500
        AssertStd(w, Math.Sqrt(2.0 / 500));
        torch.nn.init.kaiming_normal_(w, mode: torch.nn.FanMode.FanOut, nonlinearity: "relu"); // fan_out 800
        AssertStd(w, Math.Sqrt(2.0 / 800));
        var conv = torch.empty(64, 32, 3, 3); // fan_in 288, leaky_relu(0) gain √2
        torch.nn.init.kaiming_normal_(conv);
        AssertStd(conv, Math.Sqrt(2.0 / 288));

        static void AssertStd(Tensor t, double expected)
        {
            double std = t.std().item<float>(), mean = t.mean().item<float>();
            Assert.InRange(std / expected, 0.97, 1.03); // ≥ 5.7 standard errors
            Assert.InRange(mean, -0.05 * expected, 0.05 * expected); // ≥ 6.8 standard errors with 18432 samples
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
