using Research.Torch.IO;
using Research.Torch.Modules;
using Research.Torch.Optim;
using Research.Torch.Optim.Schedules;

namespace Research.Torch.Tests;

/// <summary>
/// Resuming from a checkpoint reproduces the uninterrupted run exactly: model, SGD momentum
/// buffers, learning-rate schedule position, EMA shadow and the CPU generator (which drives
/// dropout and batch sampling) all come back.
/// </summary>
[Collection(SerialRngCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private const int TotalSteps = 12;
    private const int ResumeAt = 5;

    private readonly string _dir = Directory.CreateTempSubdirectory("research-torch-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private sealed class Training : IDisposable
    {
        public Training(long seed, int hidden = 16, bool adamW = false)
        {
            torch.manual_seed(seed);
            Model = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(hidden, 2));
            Optimizer = adamW
                ? new AdamW(WeightDecayGroups.Split(Model, 0.05), lr: 0.1)
                : new SGD(WeightDecayGroups.Split(Model, 1e-3), lr: 0.1, momentum: 0.9);
            Scheduler = new LRScheduler(Optimizer, new CosineSchedule(0.1, TotalSteps, warmupSteps: 2));
            Ema = new ExponentialMovingAverage(Model, decay: 0.9, warmup: true);
        }

        public Sequential Model { get; }
        public Optimizer Optimizer { get; }
        public LRScheduler Scheduler { get; }
        public ExponentialMovingAverage Ema { get; }

        /// <summary>One step on a random half of the data; returns the loss.</summary>
        public double Step(Tensor x, Tensor y)
        {
            using var scope = torch.NewDisposeScope();
            var batch = torch.randperm(x.shape[0]).narrow(0, 0, x.shape[0] / 2);
            var loss = torch.nn.functional.cross_entropy(Model.call(x.index_select(0, batch)), y.index_select(0, batch));
            Optimizer.zero_grad();
            loss.backward();
            Optimizer.step();
            Scheduler.step();
            Ema.Update(Model);
            return loss.item<float>();
        }

        public void Dispose()
        {
            Ema.Dispose();
            Optimizer.Dispose();
            Model.Dispose();
        }
    }

    private static (Tensor x, Tensor y) Data()
    {
        torch.manual_seed(1234);
        var x = torch.randn(32, 4);
        var v = x.ToArray<float>();
        var labels = new long[32];
        for (int i = 0; i < 32; i++) labels[i] = v[4 * i] * v[4 * i + 1] + v[4 * i + 2] > 0 ? 1 : 0;
        return (x, torch.tensor(labels));
    }

    private static Dictionary<string, byte[]> Bytes(Dictionary<string, Tensor> sd)
    {
        try
        {
            return sd.ToDictionary(kv => kv.Key, kv => kv.Value.ToBytes());
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    private static void AssertSameState(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"'{name}' differs");
    }

    [Theory]
    [InlineData(false)] // SGD with momentum: the momentum buffers must come back
    [InlineData(true)]  // AdamW: both moments and the step count (bias correction) must come back
    public void ResumedRunIsBitIdenticalToUninterruptedRun(bool adamW)
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = Data();

        // Uninterrupted.
        var straight = new double[TotalSteps];
        Dictionary<string, byte[]> finalModel, finalEma, finalOptimizer;
        double finalLr;
        using (var run = new Training(seed: 7, adamW: adamW))
        {
            for (int t = 0; t < TotalSteps; t++) straight[t] = run.Step(x, y);
            finalModel = Bytes(run.Model.state_dict());
            finalEma = Bytes(run.Ema.state_dict());
            finalOptimizer = Bytes(run.Optimizer.state_dict());
            finalLr = run.Optimizer.ParamGroups[1].LearningRate;
            Assert.Equal(TotalSteps, run.Scheduler.Position);
        }
        // Dropout and sampling make every loss different: the generator matters.
        Assert.Equal(TotalSteps, straight.Distinct().Count());

        // Interrupted at ResumeAt.
        var path = PathOf("resume.safetensors");
        var resumed = new double[TotalSteps];
        using (var first = new Training(seed: 7, adamW: adamW))
        {
            for (int t = 0; t < ResumeAt; t++) resumed[t] = first.Step(x, y);
            Checkpoint.Save(path, first.Model, first.Optimizer, first.Scheduler, first.Ema, new Dictionary<string, string> { ["step"] = "5" });
        }
        Assert.Equal(straight[..ResumeAt], resumed[..ResumeAt]);

        using var rest = new Training(seed: 99, adamW: adamW); // other weights, other generator state
        using (torch.randn(1000)) { }
        Assert.NotEqual(finalModel["0.weight"], Bytes(rest.Model.state_dict())["0.weight"]);
        var metadata = Checkpoint.Load(path, rest.Model, rest.Optimizer, rest.Scheduler, rest.Ema);
        Assert.Equal("5", metadata["step"]);
        Assert.Equal(ResumeAt, rest.Scheduler.Position);
        Assert.Equal(ResumeAt, rest.Ema.Updates);
        for (int t = ResumeAt; t < TotalSteps; t++) resumed[t] = rest.Step(x, y);

        for (int t = 0; t < TotalSteps; t++) Assert.True(straight[t] == resumed[t], $"step {t}: {straight[t]:R} vs {resumed[t]:R}");
        AssertSameState(finalModel, Bytes(rest.Model.state_dict()));
        AssertSameState(finalEma, Bytes(rest.Ema.state_dict()));
        AssertSameState(finalOptimizer, Bytes(rest.Optimizer.state_dict()));
        Assert.Equal(finalLr, rest.Optimizer.ParamGroups[1].LearningRate);
    }

    [Fact]
    public void ResumingWithoutTheGeneratorStateDiverges()
    {
        // The control for the test above: without rng.cpu, dropout and sampling change.
        using var scope = torch.NewDisposeScope();
        var (x, y) = Data();
        var path = PathOf("no-rng.safetensors");
        double[] expected = new double[3], actual = new double[3];
        using (var first = new Training(seed: 7))
        {
            for (int t = 0; t < 2; t++) first.Step(x, y);
            Checkpoint.Save(path, first.Model, first.Optimizer, first.Scheduler, first.Ema);
            for (int t = 0; t < 3; t++) expected[t] = first.Step(x, y);
        }
        using (var rest = new Training(seed: 99))
        {
            Checkpoint.Load(path, rest.Model, rest.Optimizer, rest.Scheduler, rest.Ema, restoreRng: false);
            for (int t = 0; t < 3; t++) actual[t] = rest.Step(x, y);
        }
        Assert.NotEqual(expected, actual);
        using (var again = new Training(seed: 99))
        {
            Checkpoint.Load(path, again.Model, again.Optimizer, again.Scheduler, again.Ema);
            for (int t = 0; t < 3; t++) actual[t] = again.Step(x, y);
        }
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void LoadingIntoAnotherArchitectureNamesFileAndTensor()
    {
        var path = PathOf("small.safetensors");
        using (var small = new Training(seed: 1)) Checkpoint.Save(path, small.Model, small.Optimizer, small.Scheduler, small.Ema);
        using var wide = new Training(seed: 2, hidden: 32);
        var before = Bytes(wide.Model.state_dict());
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, wide.Model, wide.Optimizer, wide.Scheduler, wide.Ema));
        Assert.Contains(path, e.Message);
        Assert.Contains("'0.weight'", e.Message);
        Assert.Contains("[32, 4]", e.Message);
        Assert.Contains("[16, 4]", e.Message);
        AssertSameState(before, Bytes(wide.Model.state_dict()));
    }

    [Fact]
    public void AFailedLoadLeavesEverythingAsItWas()
    {
        // The model part loads fine; the optimizer part does not (SGD state into AdamW), so the
        // model must be put back as it was before the call.
        var path = PathOf("sgd.safetensors");
        using (var sgd = new Training(seed: 1)) Checkpoint.Save(path, sgd.Model, sgd.Optimizer, sgd.Scheduler, sgd.Ema);
        using var adam = new Training(seed: 2, adamW: true);
        var (x, y) = Data();
        adam.Step(x, y);
        var model = Bytes(adam.Model.state_dict());
        var optim = Bytes(adam.Optimizer.state_dict());
        long position = adam.Scheduler.Position;
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, adam.Model, adam.Optimizer, adam.Scheduler, adam.Ema));
        Assert.Contains("SGD", e.Message);
        Assert.Contains("AdamW", e.Message);
        AssertSameState(model, Bytes(adam.Model.state_dict()));
        AssertSameState(optim, Bytes(adam.Optimizer.state_dict()));
        Assert.Equal(position, adam.Scheduler.Position);
        x.Dispose();
        y.Dispose();
    }

    [Fact]
    public void PlainSafeTensorsFileIsNotACheckpoint()
    {
        var path = PathOf("weights.safetensors");
        using var run = new Training(seed: 3);
        var sd = run.Model.state_dict();
        try
        {
            SafeTensors.Save(path, sd);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, run.Model));
        Assert.Contains(path, e.Message);
        Assert.Contains(Checkpoint.Format, e.Message);

        // A model-only checkpoint cannot restore an optimizer.
        var modelOnly = PathOf("model-only.safetensors");
        Checkpoint.Save(modelOnly, run.Model);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(modelOnly, run.Model, run.Optimizer));
        Assert.Contains(modelOnly, e.Message);
        Assert.Contains("optimizer", e.Message);
    }
}
