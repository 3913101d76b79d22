namespace Research.Torch.Optim.Schedules;

/// <summary>PyTorch's StepLR: baseLr · gamma^floor(step / stepSize).</summary>
public sealed class StepDecaySchedule : ILearningRateSchedule
{
    public StepDecaySchedule(double baseLr, long stepSize, double gamma)
    {
        BaseLr = ScheduleArguments.Rate(baseLr, nameof(baseLr));
        StepSize = ScheduleArguments.AtLeast(stepSize, 1, nameof(stepSize));
        Gamma = ScheduleArguments.Positive(gamma, nameof(gamma));
    }

    public double BaseLr { get; }
    public long StepSize { get; }
    public double Gamma { get; }

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        return BaseLr * Math.Pow(Gamma, ScheduleArguments.Periods(step, StepSize));
    }

    public override string ToString() => $"StepDecay(baseLr={BaseLr}, stepSize={StepSize}, gamma={Gamma})";
}
