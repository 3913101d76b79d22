using System.Text.Json;
using Research.Torch.IO;

namespace Research.Training.Tests;

/// <summary>A run stopped at a search's rung and continued later, and memory_format auto's probe and its record.</summary>
[Collection("Serial training")]
public class RungAndLayoutTests
{
    private static readonly TrainConfig Recipe = new() { Epochs = 3, BatchSize = 50, LearningRate = 0.05, WarmupEpochs = 0.5, EmaDecay = 0.9, Seed = 5 };

    private static DatasetPair Data() => Synthetic.Load(seed: 4, trainCount: 300, testCount: 100);

    private static TrainResult Train(string dir, TrainConfig cfg, int? stop = null, TextWriter? log = null) =>
        Trainer.Run(TinyNet.Spec, Data(), "synthetic", cfg, new TrainerOptions { OutDir = dir, Resume = true, StopAfterEpoch = stop, Log = log });

    [Fact]
    public void ARunStoppedAtARungAndContinuedEndsAsOneThatNeverStopped()
    {
        using var whole = new TempDir();
        using var rungs = new TempDir();
        var straight = Train(whole.Path, Recipe);
        var first = Train(rungs.Path, Recipe, stop: 1);
        Assert.Equal(1, first.Epochs);
        Assert.False(File.Exists(rungs.File("metrics.json")), "a run stopped at a rung is not finished");
        Assert.False(File.Exists(rungs.File("model.safetensors")));
        var again = Train(rungs.Path, Recipe, stop: 1); // a finished rung reads back without training
        Assert.Equal(first.Final, again.Final);
        var second = Train(rungs.Path, Recipe, stop: 2);
        Assert.Equal(2, second.Epochs);
        var last = Train(rungs.Path, Recipe);
        Assert.Equal(3, last.Epochs);
        Assert.Equal(straight.Final with { ImagesPerSecond = 0, Seconds = 0 }, last.Final with { ImagesPerSecond = 0, Seconds = 0 });
        Assert.True(File.ReadAllBytes(whole.File("model.safetensors")).AsSpan().SequenceEqual(File.ReadAllBytes(rungs.File("model.safetensors"))));
    }

    [Fact]
    public void AutoMemoryFormatProbesOnceWritesItsChoiceAndAResumeKeepsIt()
    {
        using var dir = new TempDir();
        var log = new StringWriter();
        var first = Train(dir.Path, Recipe with { MemoryFormat = MemoryLayout.Auto }, stop: 1, log: log);
        Assert.Contains(first.MemoryFormat, MemoryLayout.Fixed);
        Assert.Matches(@"memory_format auto: (contiguous|channels_last) \(probe 5 steps each: contiguous [0-9.]+ ms, channels_last [0-9.]+ ms\)", log.ToString());
        var train = JsonDocument.Parse(File.ReadAllText(dir.File("train.json"))).RootElement;
        Assert.Equal(first.MemoryFormat, train.GetProperty("memory_format_chosen").GetString());
        Assert.Equal(first.MemoryFormat, Checkpoint.ReadMetadata(dir.File("checkpoint.safetensors"))["memory_format"]);

        var resumed = new StringWriter();
        var rest = Train(dir.Path, Recipe with { MemoryFormat = MemoryLayout.Auto }, log: resumed);
        Assert.Equal(first.MemoryFormat, rest.MemoryFormat);
        Assert.Contains($"memory_format auto: {first.MemoryFormat} (kept from the checkpoint)", resumed.ToString());
        Assert.DoesNotContain("probe", resumed.ToString());
    }

    [Fact]
    public void TheProbeLeavesTheRandomStreamAsItFoundIt()
    {
        Research.Torch.torch.manual_seed(9);
        using var expected = Research.Torch.torch.rand([4]);
        Research.Torch.torch.manual_seed(9);
        var probe = MemoryLayoutProbe.Run(TinyNet.Spec, Research.Torch.Device.CPU, 8);
        using var actual = Research.Torch.torch.rand([4]);
        Assert.True(expected.equal(actual));
        Assert.True(probe.ContiguousMs > 0 && probe.ChannelsLastMs > 0);
    }
}
