namespace Research.Experiments.Reports;

/// <summary>How the report judges the seeds: the level at which a named comparison's difference is called significant.</summary>
public sealed record ReportSettings : ISettingsRecord<ReportSettings>
{
    public double Significance { get; init; } = 0.05;

    /// <summary>stages.report's statistics and `research report`'s options.</summary>
    public static SettingSet<ReportSettings> Settings { get; } = new SettingSet<ReportSettings>(new ReportSettings(), "report")
        .Number("significance", "a compared difference is significant when the two-sided Welch test's p is below this", r => r.Significance,
            (r, v) => r with { Significance = v }, new SettingRange(0, 0.5, MinExclusive: true));
}
