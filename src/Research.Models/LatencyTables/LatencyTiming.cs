using System.Diagnostics;

namespace Research.Models.LatencyTables;

/// <summary>
/// How a latency is measured, the same for a table's entries and for a whole network: warm-up runs, then the median of timed
/// runs; that, <see cref="Rounds"/> times over, interleaved with the other measurements of the same call, and the median of
/// the rounds.
/// </summary>
public sealed record LatencyTiming(int Warmup = 5, int Repeats = 21, int Rounds = 5)
{
    public LatencyTiming Validate()
    {
        if (Warmup < 0 || Repeats < 1 || Rounds < 1)
            throw new ArgumentException($"warm-up {Warmup}, repeats {Repeats} and rounds {Rounds}: need warm-up >= 0, repeats >= 1 and rounds >= 1");
        return this;
    }

    /// <summary>
    /// Every measurement once per round, in the order given, <see cref="Rounds"/> times; each result is the median of its
    /// rounds. A slow spell of the machine (another tenant on a shared core: one table's entries, measured back to back, moved
    /// by up to 50% between two runs) then falls on one round of many measurements and is outvoted, instead of inflating every
    /// timed run of the one measurement it hits. <paramref name="progress"/> hears each finished round.
    /// </summary>
    public double[] Interleaved(IReadOnlyList<Func<double>> measurements, Action<int>? progress = null)
    {
        var rounds = new double[measurements.Count][];
        for (int i = 0; i < measurements.Count; i++) rounds[i] = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            for (int i = 0; i < measurements.Count; i++) rounds[i][r] = measurements[i]();
            progress?.Invoke(r + 1);
        }
        return rounds.Select(Median).ToArray();
    }

    private static double Median(double[] values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
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
        return Median(times);
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
