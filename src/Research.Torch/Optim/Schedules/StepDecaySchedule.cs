namespace Research.Torch.Optim.Schedules;

/// <summary>PyTorch's StepLR: baseLr · gamma^floor(step / stepSize).</summary>
public sealed class StepDecaySchedule(double baseLr, long stepSize, double gamma) : ILearningRateSchedule
{
    public double BaseLr { get; } = ScheduleArguments.Rate(baseLr, nameof(baseLr));
    public long StepSize { get; } = ScheduleArguments.AtLeast(stepSize, 1, nameof(stepSize));
    public double Gamma { get; } = ScheduleArguments.Positive(gamma, nameof(gamma));

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        return BaseLr * Math.Pow(Gamma, ScheduleArguments.Periods(step, StepSize));
    }

    public override string ToString() => $"StepDecay(baseLr={BaseLr}, stepSize={StepSize}, gamma={Gamma})";
}
