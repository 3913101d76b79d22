using System.Diagnostics;

namespace Research.Models.LatencyTables;

/// <summary>
/// How a latency is measured, the same for a table's entries and for a whole network: warm-up runs, then the median of timed
/// runs; that, <see cref="Rounds"/> times over, interleaved with the other measurements of the same call, and the median of
/// the rounds. With <see cref="SpanSeconds"/> the rounds go on past <see cref="Rounds"/> until they span that long.
/// </summary>
public sealed record LatencyTiming(int Warmup = 5, int Repeats = 21, int Rounds = 5, double SpanSeconds = 0)
{
    /// <summary>
    /// How long a table's rounds span by default. Slow and fast spells of this project's shared 2-core machines last tens of
    /// seconds: a mobile-blocks table measured in 19 s (5 rounds) predicted held-out cells 35% low (median), the same table
    /// measured over 87 s (25 rounds) 12%, since its entries and whole networks then sample the spells as the networks
    /// measured later do. Slower modes can also outlast a minute (a whole quick-space table once ran 1.6x slow), which no span
    /// removes: measure a table again hours apart to see them.
    /// </summary>
    public const double TableSpanSeconds = 60;

    /// <summary>The most rounds a span may add (a table of a few tiny parts would otherwise run thousands).</summary>
    public const int MaxRounds = 200;

    public LatencyTiming Validate()
    {
        if (Warmup < 0 || Repeats < 1 || Rounds < 1 || !(SpanSeconds >= 0))
            throw new ArgumentException($"warm-up {Warmup}, repeats {Repeats}, rounds {Rounds} and span {SpanSeconds} s: need warm-up >= 0, repeats >= 1, rounds >= 1 and span >= 0");
        return this;
    }

    /// <summary>
    /// Every measurement once per round, in the order given, <see cref="Rounds"/> times; each result is the median of its
    /// rounds. A slow spell of the machine (another tenant on a shared core: one table's entries, measured back to back, moved
    /// by up to 50% between two runs) then falls on one round of many measurements and is outvoted, instead of inflating every
    /// timed run of the one measurement it hits. Past <see cref="Rounds"/>, rounds continue while they span less than
    /// <see cref="SpanSeconds"/> (at most <see cref="MaxRounds"/>). <paramref name="progress"/> hears each finished round.
    /// </summary>
    public double[] Interleaved(IReadOnlyList<Func<double>> measurements, Action<int>? progress = null) =>
        Interleaved(measurements, out _, out _, progress);

    /// <param name="roundsRun">how many rounds ran</param>
    /// <param name="seconds">how long they took together</param>
    public double[] Interleaved(IReadOnlyList<Func<double>> measurements, out int roundsRun, out double seconds, Action<int>? progress = null)
    {
        var rounds = measurements.Select(_ => new List<double>()).ToArray();
        long begin = Stopwatch.GetTimestamp();
        int r = 0;
        while (r < Rounds || (r < MaxRounds && Stopwatch.GetElapsedTime(begin).TotalSeconds < SpanSeconds))
        {
            for (int i = 0; i < measurements.Count; i++) rounds[i].Add(measurements[i]());
            r++; // not inside progress?.Invoke(...): a null progress would skip it
            progress?.Invoke(r);
        }
        (roundsRun, seconds) = (r, Stopwatch.GetElapsedTime(begin).TotalSeconds);
        return rounds.Select(v => Median([.. v])).ToArray();
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
