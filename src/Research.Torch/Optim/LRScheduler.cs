using Research.Torch.Optim.Schedules;

namespace Research.Torch.Optim;

/// <summary>
/// Drives an optimizer's learning rates from a schedule. The schedule gives the rate of the
/// first group; every group keeps its ratio to that group's initial rate (so a group set
/// to half the rate stays at half). Call <see cref="step"/> once per iteration or per epoch,
/// whichever unit the schedule counts in. The position goes into checkpoints.
/// </summary>
public sealed class LRScheduler
{
    private readonly Optimizer _optimizer;
    private readonly double _reference;

    public LRScheduler(Optimizer optimizer, ILearningRateSchedule schedule, long start = 0)
    {
        _optimizer = optimizer;
        Schedule = schedule;
        _reference = optimizer.ParamGroups[0].InitialLearningRate;
        if (_reference <= 0) throw new ArgumentException("LRScheduler: the optimizer's first group needs a positive initial learning rate");
        Position = start;
        Apply();
    }

    public ILearningRateSchedule Schedule { get; }

    /// <summary>How many steps have been taken (the schedule's current step).</summary>
    public long Position { get; private set; }

    /// <summary>The first group's current learning rate.</summary>
    public double LearningRate => _optimizer.ParamGroups[0].LearningRate;

    public void step()
    {
        Position++;
        Apply();
    }

    /// <summary>Moves to a step (e.g. after loading a checkpoint) and applies its rate.</summary>
    public void SetPosition(long position)
    {
        if (position < 0) throw new ArgumentOutOfRangeException(nameof(position), position, "scheduler position must be >= 0");
        Position = position;
        Apply();
    }

    private void Apply() => _optimizer.ScaleLearningRates(Schedule.LearningRate(Position) / _reference);
}
