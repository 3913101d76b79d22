namespace Research.Experiments.Reports;

/// <summary>
/// A group stages.report.groups names: several arms read as one method (e.g. the retrained winners of three
/// search seeds). Its replicates are its arms, not their seeds: the seeds within an arm retrain one architecture
/// and are not independent draws of the method. So its sample is each arm's mean accuracy (the arm averaged over
/// its own seeds first): <see cref="Row"/> is the arms folded by <see cref="SeedAggregation"/> as if each arm's
/// mean were one seed, so n counts the arms with an accuracy and the mean, standard deviation and Student-t
/// interval are over their means; params and MACs are the arms' means. The row has no seeds to pair, so
/// <see cref="ArmComparison.Of"/> tests a group against a group or an arm by Welch's test and Hedges' g alone.
/// </summary>
public sealed record ArmGroup(string Name, IReadOnlyList<string> Arms, ReportRow Row)
{
    public const string Kind = "group";

    /// <summary>The arms named that have no accuracy in this run (not trained yet, or not found).</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <param name="arm">an arm's row by its name (as compare names it), or null when the run has none</param>
    public static ArmGroup Of(string name, IReadOnlyList<string> arms, Func<string, ReportRow?> arm, double confidence = 0.95)
    {
        var rows = arms.Select(a => (Name: a, Row: arm(a))).ToList();
        var measured = rows.Where(r => r.Row?.Accuracy is not null).Select(r => r.Row!).ToList();
        var missing = rows.Where(r => r.Row?.Accuracy is null).Select(r => r.Name).ToList();
        if (measured.Count == 0)
            return new ArmGroup(name, arms, new ReportRow(Kind, name, null, 0, 0, 0, null, null, null, null) { SeedCount = 0 }) { Missing = missing };
        // Each arm's mean as one "seed" of the group; the index only keeps them apart (they share no seeds to pair).
        var folded = SeedAggregation.Arms(measured.Select((r, i) => r with { Kind = Kind, Name = name, Phi = null, Seed = i }).ToList(), confidence).Single();
        double? Mean(Func<ReportRow, double?> get) => measured.All(r => get(r) is not null) ? measured.Average(r => get(r)!.Value) : null;
        return new ArmGroup(name, arms, folded with
        {
            Params = (long)Math.Round(measured.Average(r => (double)r.Params)), Macs = (long)Math.Round(measured.Average(r => (double)r.Macs)),
            Resolution = 0, PredictedLatencyMs = Mean(r => r.PredictedLatencyMs), Seed = null, AccuracyBySeed = new Dictionary<int, double>(),
        }) { Missing = missing };
    }
}
