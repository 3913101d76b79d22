namespace Research.Experiments.Reports;

/// <summary>
/// One comparison stages.report.compare names: arm A against arm B on the accuracy the report shows
/// (test top-1, else held-out), by Welch's two-sided t-test at the report's significance level, with
/// Hedges' g and, where the arms ran the same seeds, the paired differences. A side may be a group
/// (<see cref="ArmGroup"/>: its sample is its arms' means, with no seeds to pair). <see cref="Verdict"/>
/// says in words whether the difference is significant.
/// </summary>
public sealed record ArmComparison(string A, string B, ReportRow? RowA, ReportRow? RowB, WelchTest? Welch, double HedgesG, PairedDifference? Paired,
    double Level, string Verdict)
{
    public bool Significant => Welch is { } w && w.PValue < Level;

    public static ArmComparison Of(string a, string b, ReportRow? rowA, ReportRow? rowB, double level, double confidence = 0.95)
    {
        string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        if (rowA is null || rowB is null)
            return new(a, b, rowA, rowB, null, double.NaN, null, level,
                $"cannot compare: '{(rowA is null ? a : b)}' is not an arm of this run (arms are phiN for a family member, or a baseline's name, or a group of stages.report.groups)");
        if (rowA.Accuracies.Count == 0 || rowB.Accuracies.Count == 0)
            return new(a, b, rowA, rowB, null, double.NaN, null, level, $"untested: '{(rowA.Accuracies.Count == 0 ? a : b)}' has no accuracy yet (not trained)");
        var welch = SeedStatistics.Welch(rowA.Accuracies, rowB.Accuracies);
        bool groups = rowA.Kind == ArmGroup.Kind || rowB.Kind == ArmGroup.Kind;
        if (welch is null)
            return new(a, b, rowA, rowB, null, double.NaN, null, level,
                Text($"{a} − {b} = {rowA.Accuracies.Average() - rowB.Accuracies.Average():+0.00;-0.00;0.00} points, untested: ") +
                ((rowA.Accuracies.Count < 2 ? rowA : rowB).Kind == ArmGroup.Kind
                    ? "a group needs at least 2 arms with an accuracy"
                    : "a test needs at least 2 seeds per arm (stages.train.seeds, e.g. [1, 2, 3])"));
        var g = SeedStatistics.HedgesG(rowA.Accuracies, rowB.Accuracies);
        var paired = SeedStatistics.Paired(rowA.AccuracyBySeed, rowB.AccuracyBySeed, confidence);
        bool significant = welch.PValue < level;
        string direction = welch.Difference > 0 ? $"{a} is higher than {b}" : welch.Difference < 0 ? $"{a} is lower than {b}" : $"{a} and {b} are equal";
        string verdict = significant
            ? Text($"{direction} by {Math.Abs(welch.Difference):0.00} points: significant at {level:0.###} (Welch's t-test, p = {welch.PValue:0.####}, Hedges' g = {g:0.00})")
            : Text($"{direction} by {Math.Abs(welch.Difference):0.00} points: not significant at {level:0.###} (Welch's t-test, p = {welch.PValue:0.####}, Hedges' g = {g:0.00}); the {(groups ? "replicates" : "seeds")} cannot tell them apart");
        return new(a, b, rowA, rowB, welch, g, paired, level, verdict);
    }
}
