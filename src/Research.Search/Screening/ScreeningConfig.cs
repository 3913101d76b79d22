using Research.Core.Settings;
using Research.Models.LatencyTables;
using Research.Search.Proxies;

namespace Research.Search.Screening;

/// <summary>
/// What a random or grid search does with its candidates before training any: skip those whose predicted latency (from a
/// latency table) is over a budget, and score the rest with a zero-cost proxy and train only the best fraction.
/// </summary>
public sealed record ScreeningConfig : ISettingsRecord<ScreeningConfig>
{
    public LatencyTableConfig Latency { get; init; } = new();
    /// <summary>Candidates predicted slower than this are skipped (null: no budget).</summary>
    public double? MaxLatencyMs { get; init; }
    /// <summary>The zero-cost proxy that ranks candidates before training (null: none, every candidate trains).</summary>
    public string? Prefilter { get; init; }
    /// <summary>With a prefilter: the fraction of candidates trained, the best by the proxy.</summary>
    public double Keep { get; init; } = 0.2;
    /// <summary>With a prefilter: images in the proxy's batch, drawn by the seed from the candidates' training split.</summary>
    public int PrefilterBatch { get; init; } = 64;

    public bool Active => MaxLatencyMs is not null || Prefilter is not null || Latency.Table is not null;

    public static SettingSet<ScreeningConfig> Settings { get; } = new SettingSet<ScreeningConfig>(new ScreeningConfig(), "candidate screening")
        .Include(LatencyTableConfig.Settings, r => r.Latency, (r, v) => r with { Latency = v })
        .OptionalNumber("max_latency_ms", "skip candidates whose latency predicted by latency_table is over this many milliseconds (listed in screened.csv)",
            "no budget", r => r.MaxLatencyMs, (r, v) => r with { MaxLatencyMs = v }, new SettingRange(0, MinExclusive: true))
        .OptionalChoice("prefilter", "score every candidate with this zero-cost proxy before training and train only the best keep fraction", "none",
            ZeroCostProxy.Names, r => r.Prefilter, (r, v) => r with { Prefilter = v })
        .Number("keep", "with prefilter: the fraction of candidates trained, the best by the proxy", r => r.Keep, (r, v) => r with { Keep = v },
            new SettingRange(0, 1, MinExclusive: true))
        .Integer("prefilter_batch", "with prefilter: images in the proxy's batch (drawn by the seed from the training split)", r => r.PrefilterBatch,
            (r, v) => r with { PrefilterBatch = v }, min: 2)
        .Rule(r => r.MaxLatencyMs is null || r.Latency.Table is not null ? null
            : new SettingProblem("max_latency_ms", Numbers.RoundTrip(r.MaxLatencyMs.Value), "given with latency_table")
            {
                Explanation = "a latency budget needs a latency table to predict with (latency_table)",
            });

    public ScreeningConfig Validate() => Settings.Validate(this);
}
