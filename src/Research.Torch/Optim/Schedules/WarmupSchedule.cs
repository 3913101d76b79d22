namespace Research.Torch.Optim.Schedules;

/// <summary>
/// Linear warmup in front of another schedule: from <see cref="WarmupStartLr"/> up to the
/// inner schedule's step-0 rate over <see cref="WarmupSteps"/>, then the inner schedule
/// shifted so that its step 0 falls at step <see cref="WarmupSteps"/>.
/// </summary>
public sealed class WarmupSchedule(ILearningRateSchedule inner, long warmupSteps, double warmupStartLr = 0) : ILearningRateSchedule
{
    public ILearningRateSchedule Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));
    public long WarmupSteps { get; } = ScheduleArguments.AtLeast(warmupSteps, 0, nameof(warmupSteps));
    public double WarmupStartLr { get; } = ScheduleArguments.Rate(warmupStartLr, nameof(warmupStartLr));

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        if (step >= WarmupSteps) return Inner.LearningRate(step - WarmupSteps);
        return WarmupStartLr + (Inner.LearningRate(0.0) - WarmupStartLr) * step / WarmupSteps;
    }

    public override string ToString() => $"Warmup({WarmupSteps} steps from {WarmupStartLr}, then {Inner})";
}
