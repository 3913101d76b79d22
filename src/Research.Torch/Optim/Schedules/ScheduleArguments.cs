namespace Research.Torch.Optim.Schedules;

/// <summary>Argument checks and step arithmetic shared by the schedules.</summary>
internal static class ScheduleArguments
{
    public static double Rate(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite learning rate >= 0");

    public static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0");

    public static long AtLeast(long value, long min, string name) =>
        value >= min ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= {min}");

    public static double Step(double step) =>
        double.IsFinite(step) && step >= 0 ? step
            : throw new ArgumentOutOfRangeException(nameof(step), step, "step must be finite and >= 0 (step 0 is the first)");

    /// <summary>
    /// floor(step / period), counting a boundary missed only by binary rounding as reached
    /// (0.3 / 0.1 is 2.9999999999999996 in doubles, but is 3 periods).
    /// </summary>
    public static double Periods(double step, double period) => Math.Floor(step / period + 1e-9);
}
