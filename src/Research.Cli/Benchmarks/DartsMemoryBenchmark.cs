using System.Diagnostics;
using Research.Search.Darts;
using Research.Torch.Optim;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Peak resident memory of DARTS search steps (architecture step + weight step) for one
/// supernet configuration, measured from the process's high-water mark reset at the start.
/// </summary>
public static class DartsMemoryBenchmark
{
    public sealed record Result(int PartialChannels, double BaselineMiB, double PeakMiB, double SecondsPerStep)
    {
        public double GrowthMiB => PeakMiB - BaselineMiB;
    }

    public static Result Measure(SearchSpace space, int partialChannels, int steps, int batch, int channels, int classes, int resolution, string order)
    {
        PeakMemory.UseDirectMapping();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (!PeakMemory.ResetPeak()) throw new InvalidOperationException("cannot reset the peak memory counter (/proc/self/clear_refs); Linux only");
        double baseline = PeakMemory.CurrentMiB();
        torch.manual_seed(0);
        var cfg = new DartsConfig { PartialChannels = partialChannels, Order = order };
        using var net = new Supernet(space, channels, classes, resolution, partialChannels);
        using var architect = new Architect(net, cfg);
        using var sgd = new SGD(net.WeightParameters, cfg.Recipe.WeightLearningRate, momentum: cfg.Recipe.WeightMomentum, weight_decay: cfg.Recipe.WeightDecay);
        var clock = new Stopwatch();
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn([batch, channels, resolution, resolution]);
            var y = torch.randint(0, classes, [batch]);
            if (i == 1) clock.Start(); // the first step includes one-time kernel setup
            if (order == "second") architect.StepSecondOrder(x, y, x, y, cfg.Recipe.WeightLearningRate, sgd);
            else architect.StepFirstOrder(x, y);
            sgd.zero_grad();
            torch.nn.functional.cross_entropy(net.call(x), y).backward();
            sgd.step();
        }
        return new Result(partialChannels, baseline, PeakMemory.PeakMiB(), steps > 1 ? clock.Elapsed.TotalSeconds / (steps - 1) : double.NaN);
    }
}
