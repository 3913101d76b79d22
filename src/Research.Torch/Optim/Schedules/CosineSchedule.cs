namespace Research.Torch.Optim.Schedules;

/// <summary>
/// Linear warmup from <see cref="WarmupStartLr"/> to <see cref="BaseLr"/> over
/// <see cref="WarmupSteps"/>, then cosine annealing to <see cref="MinLr"/> at
/// <see cref="TotalSteps"/> (which includes the warmup), then <see cref="MinLr"/> for good.
/// The annealing is PyTorch's CosineAnnealingLR: min + (base − min)(1 + cos(πt/T))/2,
/// with t = step − warmupSteps and T = totalSteps − warmupSteps.
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    public CosineSchedule(double baseLr, long totalSteps, long warmupSteps = 0, double minLr = 0, double warmupStartLr = 0)
    {
        BaseLr = ScheduleArguments.Rate(baseLr, nameof(baseLr));
        TotalSteps = ScheduleArguments.AtLeast(totalSteps, 1, nameof(totalSteps));
        WarmupSteps = ScheduleArguments.AtLeast(warmupSteps, 0, nameof(warmupSteps));
        if (warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"warmupSteps must be <= totalSteps ({totalSteps}); totalSteps includes the warmup");
        MinLr = ScheduleArguments.Rate(minLr, nameof(minLr));
        WarmupStartLr = ScheduleArguments.Rate(warmupStartLr, nameof(warmupStartLr));
    }

    public double BaseLr { get; }
    public long TotalSteps { get; }
    public long WarmupSteps { get; }
    public double MinLr { get; }
    public double WarmupStartLr { get; }

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        if (step < WarmupSteps) return WarmupStartLr + (BaseLr - WarmupStartLr) * step / WarmupSteps;
        if (step >= TotalSteps) return MinLr;
        double t = step - WarmupSteps, T = TotalSteps - WarmupSteps;
        return MinLr + (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * t / T)) / 2;
    }

    public override string ToString() =>
        $"Cosine(baseLr={BaseLr}, totalSteps={TotalSteps}, warmupSteps={WarmupSteps}, minLr={MinLr}, warmupStartLr={WarmupStartLr})";
}
