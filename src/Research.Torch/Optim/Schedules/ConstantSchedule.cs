namespace Research.Torch.Optim.Schedules;

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    public ConstantSchedule(double lr)
    {
        Lr = ScheduleArguments.Rate(lr, nameof(lr));
    }

    public double Lr { get; }

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        return Lr;
    }

    public override string ToString() => $"Constant(lr={Lr})";
}
