using MathNet.Numerics.Statistics;

namespace Research.Experiments.Reports;

/// <summary>
/// family.csv's rows (one per model and seed) folded into one row per arm (kind and name, in the order
/// they first appear): accuracies, throughput and time averaged over the seeds, with the Student-t
/// interval of the held-out and test top-1 and the accuracy of each seed (for paired differences).
/// </summary>
public static class SeedAggregation
{
    public static List<ReportRow> Arms(IReadOnlyList<ReportRow> seedRows, double confidence = 0.95) =>
        seedRows.GroupBy(r => (r.Kind, r.Name)).Select(g =>
        {
            var rows = g.ToList();
            var first = rows[0];
            SeedSummary? Interval(Func<ReportRow, double?> get) =>
                rows.Select(get).OfType<double>().ToList() is { Count: > 0 } v ? SeedStatistics.Summarise(v, confidence) : null;
            double? Mean(Func<ReportRow, double?> get) => rows.Select(get).OfType<double>().ToList() is { Count: > 0 } v ? v.Mean() : null;
            var bySeed = new Dictionary<int, double>();
            foreach (var r in rows)
                if (r.Seed is { } s && r.Accuracy is { } a) bySeed[s] = a;
            return first with
            {
                Seed = rows.Count == 1 ? first.Seed : null,
                ValTop1 = Mean(r => r.ValTop1), TestTop1 = Mean(r => r.TestTop1), ImagesPerSecond = Mean(r => r.ImagesPerSecond), Seconds = Mean(r => r.Seconds),
                SeedCount = rows.Count, ValInterval = Interval(r => r.ValTop1), TestInterval = Interval(r => r.TestTop1), AccuracyBySeed = bySeed,
                Accuracies = rows.Select(r => r.Accuracy).OfType<double>().ToArray(),
            };
        }).ToList();
}
