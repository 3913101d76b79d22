using System.Text.Json;
using Research.Models.Networks;
using Research.Torch;
using Research.Torch.IO;
using Research.Training;

namespace Research.Training.Tests;

[Collection("Serial training")]
public class TrainerTests
{
    private static readonly TrainConfig Recipe = new() { Epochs = 3, BatchSize = 50, LearningRate = 0.05, WarmupEpochs = 0.5, EmaDecay = 0.9, Seed = 7 };

    private static DatasetPair Data() => Synthetic.Load(seed: 3, trainCount: 400, testCount: 200);

    private static TrainResult Train(string dir, TrainConfig? cfg = null, bool resume = false, Func<int, int, Tensor, Tensor>? hook = null) =>
        Trainer.Run(TinyNet.Spec, Data(), "synthetic", cfg ?? Recipe, new TrainerOptions { OutDir = dir, Resume = resume, InputHook = hook });

    private static List<EpochRecord> History(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "history.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => new EpochRecord
            {
                Epoch = int.Parse(f[0]), LearningRate = double.Parse(f[1]), TrainLoss = double.Parse(f[2]), TrainAccuracy = double.Parse(f[3]),
                ValLoss = double.Parse(f[4]), ValTop1 = double.Parse(f[5]), ValTop5 = double.Parse(f[6]),
            }).ToList();

    /// <summary>Everything but the timing columns.</summary>
    private static object Numbers(EpochRecord r) => (r.Epoch, r.LearningRate, r.TrainLoss, r.TrainAccuracy, r.ValLoss, r.ValTop1, r.ValTop5);

    [Fact]
    public void LearnsTheSyntheticTaskAndWritesTheRunFiles()
    {
        using var tmp = new TempDir();
        var r = Trainer.Run(TinyNet.Spec, Synthetic.Load(seed: 3, trainCount: 1500, testCount: 200), "synthetic", Recipe with { Epochs = 4, LearningRate = 0.1 },
            new TrainerOptions { OutDir = tmp.Path });
        Assert.True(r.Final.ValTop1 > 40, $"val top-1 {r.Final.ValTop1}% after 4 epochs (chance: 10%)");
        Assert.True(r.Final.TrainLoss < History(tmp.Path)[0].TrainLoss);
        foreach (var f in new[] { "checkpoint.safetensors", "history.csv", "metrics.json", "model.safetensors", "model.yaml", "train.json" })
            Assert.True(File.Exists(tmp.File(f)), $"{f} missing");
        Assert.Equal("epoch,lr,train_loss,train_acc,val_loss,val_top1,val_top5,images_per_s,seconds", File.ReadLines(tmp.File("history.csv")).First());
        Assert.Equal(4, History(tmp.Path).Count);
        var metrics = JsonDocument.Parse(File.ReadAllText(tmp.File("metrics.json"))).RootElement;
        Assert.Equal(r.Final.ValTop1, metrics.GetProperty("final").GetProperty("ValTop1").GetDouble());
        Assert.Equal(r.Best.ValTop1, metrics.GetProperty("best").GetProperty("ValTop1").GetDouble());
        // The saved weights load into a freshly built model of the saved spec.
        using var net = NetworkBuilder.Build(Models.Specs.SpecYaml.Load(tmp.File("model.yaml")));
        using var weights = SafeTensors.Load(tmp.File("model.safetensors"));
        net.load_state_dict(weights);
    }

    /// <summary>
    /// NHWC and NCHW are the same computation in another summation order:
    /// the runs agree to float rounding, and the saved weights are in the standard layout either way.
    /// </summary>
    [Fact]
    public void ChannelsLastAndContiguousTrainTheSameNetwork()
    {
        using var nhwc = new TempDir();
        using var nchw = new TempDir();
        var a = Train(nhwc.Path, Recipe with { Epochs = 2, MemoryFormat = MemoryLayout.ChannelsLast });
        var b = Train(nchw.Path, Recipe with { Epochs = 2, MemoryFormat = MemoryLayout.Contiguous });
        // Rounding differences compound over the steps (measured: 2e-4 relative after 16 steps).
        Assert.InRange(Math.Abs(a.Final.TrainLoss - b.Final.TrainLoss), 0, 2e-3 * b.Final.TrainLoss);
        Assert.InRange(Math.Abs(a.Final.ValLoss - b.Final.ValLoss), 0, 2e-3 * b.Final.ValLoss);
        // The NHWC run's weights load into a model built the usual (NCHW) way.
        using var net = NetworkBuilder.Build(TinyNet.Spec);
        using var weights = SafeTensors.Load(nhwc.File("model.safetensors"));
        net.load_state_dict(weights);

        // One step, exactly: the same batch gives the same loss and gradients in both layouts.
        var grads = new List<Dictionary<string, Tensor>>();
        foreach (var format in new[] { MemoryFormat.Contiguous, MemoryFormat.ChannelsLast })
        {
            torch.manual_seed(1);
            using var model = NetworkBuilder.Build(TinyNet.Spec);
            model.to(format);
            torch.manual_seed(2);
            using var x = torch.randn(8, TinyNet.Spec.InChannels, TinyNet.Spec.Resolution, TinyNet.Spec.Resolution);
            using var y = torch.randint(0, TinyNet.Spec.Classes, [8]);
            using var loss = torch.nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            grads.Add(model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.contiguous()));
        }
        foreach (var (name, g) in grads[0])
            Assert.True(g.allclose(grads[1][name], rtol: 1e-4, atol: 1e-6), $"{name}: gradients differ between layouts");
        foreach (var t in grads.SelectMany(d => d.Values)) t.Dispose();
        var bad = Assert.Throws<ArgumentException>(() => (Recipe with { MemoryFormat = "nhwc" }).Validate());
        Assert.Contains("memory_format nhwc", bad.Message);
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameNumbers()
    {
        using var whole = new TempDir();
        var expected = Train(whole.Path);

        using var broken = new TempDir();
        // Dies in the middle of epoch 2, after epoch 1's checkpoint was written.
        Assert.Throws<OperationCanceledException>(() => Train(broken.Path, hook: (epoch, step, x) =>
            epoch == 1 && step == 3 ? throw new OperationCanceledException("killed") : x));
        Assert.Single(History(broken.Path));
        var resumed = Train(broken.Path, resume: true);

        Assert.Equal(History(whole.Path).Select(Numbers), History(broken.Path).Select(Numbers));
        Assert.Equal(Numbers(expected.Final), Numbers(resumed.Final));
        Assert.True(File.ReadAllBytes(whole.File("model.safetensors")).AsSpan().SequenceEqual(File.ReadAllBytes(broken.File("model.safetensors"))));
    }

    [Fact]
    public void NaNLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<TrainingDivergedException>(() => Train(tmp.Path, hook: (epoch, step, x) =>
            epoch == 1 && step == 2 ? x * double.NaN : x));
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("checkpoint.safetensors", e.Message);
        Assert.Contains("after epoch 1", e.Message);
        Assert.False(File.Exists(tmp.File("metrics.json")));
        Assert.Single(History(tmp.Path));
        // The checkpoint still holds epoch 1's finite weights, and a resume continues from it.
        using (var net = NetworkBuilder.Build(TinyNet.Spec))
        {
            var meta = Checkpoint.Load(tmp.File("checkpoint.safetensors"), net, restoreRng: false);
            Assert.Equal("1", meta["epoch"]);
            Assert.All(net.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
        }
        var resumed = Train(tmp.Path, resume: true);
        Assert.Equal(3, resumed.Final.Epoch);
        Assert.True(double.IsFinite(resumed.Final.TrainLoss));
    }

    [Fact]
    public void RefusesToOverwriteARunOrToResumeWithOtherSettings()
    {
        using var tmp = new TempDir();
        Train(tmp.Path, Recipe with { Epochs = 1 });
        var before = File.ReadAllBytes(tmp.File("checkpoint.safetensors"));
        var again = Assert.Throws<ArgumentException>(() => Train(tmp.Path, Recipe with { Epochs = 1 }));
        Assert.Contains("resume it", again.Message);
        var other = Assert.Throws<ArgumentException>(() => Train(tmp.Path, Recipe with { Epochs = 1, LearningRate = 0.2 }, resume: true));
        Assert.Contains("other settings", other.Message);
        Assert.True(before.AsSpan().SequenceEqual(File.ReadAllBytes(tmp.File("checkpoint.safetensors"))));
    }

    [Theory]
    [InlineData(0, "epochs 0")]
    [InlineData(-1, "lr -1")]
    public void InvalidRecipesAreRejectedBeforeAnythingIsWritten(int which, string mentions)
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(tmp.Path, "run");
        var cfg = which == 0 ? Recipe with { Epochs = 0 } : Recipe with { LearningRate = -1 };
        var e = Assert.Throws<ArgumentException>(() => Train(dir, cfg));
        Assert.Contains(mentions, e.Message);
        Assert.False(Directory.Exists(dir));
    }
}

[CollectionDefinition("Serial training", DisableParallelization = true)]
public class SerialTrainingCollection;
