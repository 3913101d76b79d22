using Research.Core.Settings;

namespace Research.Models.LatencyTables;

/// <summary>The latency table a search predicts with (`research bench latency-table` writes one): its one home, included by the searches' settings.</summary>
public sealed record LatencyTableConfig : ISettingsRecord<LatencyTableConfig>
{
    /// <summary>A latency table file (null: none).</summary>
    public string? Table { get; init; }

    public static SettingSet<LatencyTableConfig> Settings { get; } = new SettingSet<LatencyTableConfig>(new LatencyTableConfig(), "latency table")
        .OptionalText("latency_table", "a latency table (research bench latency-table) to predict latencies with, on the machine it was measured on", "none",
            r => r.Table, (r, v) => r with { Table = v }, valueText: "a latency table file (.csv)");
}
