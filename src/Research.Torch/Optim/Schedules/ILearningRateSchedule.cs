namespace Research.Torch.Optim.Schedules;

/// <summary>
/// A learning rate as a pure function of the step, independent of any optimizer.
/// Step 0 is the first step. Whether a step is an iteration (one optimizer update) or an
/// epoch is the caller's choice; every length a schedule takes (totalSteps, warmupSteps,
/// stepSize, decaySteps) counts in that same unit. Steps may be fractional, e.g.
/// <c>epoch + batch / (double)batchesPerEpoch</c> to update every iteration a schedule
/// defined in epochs.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at <paramref name="step"/> (finite, &gt;= 0).</summary>
    double LearningRate(double step);

    /// <summary>The learning rate at a whole step.</summary>
    double LearningRate(long step) => LearningRate((double)step);
}
