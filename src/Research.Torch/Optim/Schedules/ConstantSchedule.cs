namespace Research.Torch.Optim.Schedules;

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantSchedule(double lr) : ILearningRateSchedule
{
    public double Lr { get; } = ScheduleArguments.Rate(lr, nameof(lr));

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        return Lr;
    }

    public override string ToString() => $"Constant(lr={Lr})";
}
