using System.Diagnostics;

namespace Research.Models.LatencyTables;

/// <summary>How a latency is measured, the same for a table's entries and for a whole network: warm-up runs, then the median of timed runs.</summary>
public sealed record LatencyTiming(int Warmup = 5, int Repeats = 21)
{
    public LatencyTiming Validate()
    {
        if (Warmup < 0 || Repeats < 1) throw new ArgumentException($"warm-up {Warmup} and repeats {Repeats}: need warm-up >= 0 and repeats >= 1");
        return this;
    }

    /// <summary>
    /// How long the first measurement of a process runs untimed before anything is timed. A fresh process measures slow for
    /// about its first second, whatever the run count: whole cell networks timed first thing in a new process (`models show
    /// --latency-table`) ran 1.43x the sum of their parts at the median, against 1.30x for the same networks timed after the
    /// process had run a while, and 200 warm-up runs (0.3 s) changed nothing where 1,000 (1.5 s) closed the gap.
    /// </summary>
    public static readonly TimeSpan ProcessWarmup = TimeSpan.FromSeconds(2);

    private static readonly Lock WarmupLock = new();
    private static bool processWarmed;

    /// <summary>The median milliseconds of <paramref name="run"/> (each run finishes its work before it returns: a CUDA caller synchronises).</summary>
    public double MedianMilliseconds(Action run)
    {
        // Held while warming, so a second caller waits rather than timing a cold process; set only once the warm-up ran through.
        lock (WarmupLock)
        {
            if (!processWarmed)
            {
                long begin = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(begin) < ProcessWarmup) run();
                processWarmed = true;
            }
        }
        for (int i = 0; i < Warmup; i++) run();
        var times = new double[Repeats];
        for (int i = 0; i < Repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return Repeats % 2 == 1 ? times[Repeats / 2] : (times[Repeats / 2 - 1] + times[Repeats / 2]) / 2;
    }

    /// <summary>A module's forward at eval, without gradients, each run's intermediates freed, on its device.</summary>
    public double Forward(Func<Tensor, Tensor> forward, Tensor input)
    {
        using var noGrad = torch.no_grad();
        bool cuda = input.is_cuda;
        return MedianMilliseconds(() =>
        {
            using (torch.NewDisposeScope()) forward(input);
            if (cuda) torch.cuda.synchronize();
        });
    }
}
