namespace Research.Torch.Optim.Schedules;

/// <summary>
/// TensorFlow's exponential_decay: baseLr · gamma^(step / decaySteps), with the exponent
/// floored when <see cref="Staircase"/>. decaySteps may be fractional: EfficientNet's
/// "0.97 every 2.4 epochs" is <c>new ExponentialDecaySchedule(lr, 0.97, 2.4)</c> with
/// steps in epochs, or decaySteps = 2.4 × batchesPerEpoch with steps in iterations.
/// </summary>
public sealed class ExponentialDecaySchedule(double baseLr, double gamma, double decaySteps = 1, bool staircase = true) : ILearningRateSchedule
{
    public double BaseLr { get; } = ScheduleArguments.Rate(baseLr, nameof(baseLr));
    public double Gamma { get; } = ScheduleArguments.Positive(gamma, nameof(gamma));
    public double DecaySteps { get; } = ScheduleArguments.Positive(decaySteps, nameof(decaySteps));
    public bool Staircase { get; } = staircase;

    public double LearningRate(double step)
    {
        ScheduleArguments.Step(step);
        double exponent = Staircase ? ScheduleArguments.Periods(step, DecaySteps) : step / DecaySteps;
        return BaseLr * Math.Pow(Gamma, exponent);
    }

    public override string ToString() => $"ExponentialDecay(baseLr={BaseLr}, gamma={Gamma}, decaySteps={DecaySteps}, staircase={Staircase})";
}
