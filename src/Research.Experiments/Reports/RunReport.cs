using Research.Core.Csv;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Experiments.Runs;

namespace Research.Experiments.Reports;

/// <summary>
/// A family member or baseline as the report shows it (from train/family.csv, or scale/scale.csv when
/// nothing was trained): one seed's row, or an arm's (<see cref="SeedAggregation"/>: means over its seeds).
/// </summary>
public sealed record ReportRow(string Kind, string Name, double? Phi, long Params, long Macs, int Resolution, double? ValTop1, double? TestTop1,
    double? ImagesPerSecond, double? Seconds)
{
    /// <summary>Its latency predicted by the report's latency table (null: no table).</summary>
    public double? PredictedLatencyMs { get; init; }

    /// <summary>The accuracy shown: test top-1 when measured, else held-out top-1.</summary>
    public double? Accuracy => TestTop1 ?? ValTop1;

    /// <summary>A seed's row: its seed (null in runs from before family.csv had the column).</summary>
    public int? Seed { get; init; }

    /// <summary>An arm's row: how many seeds it averages, their intervals, and each seed's accuracy.</summary>
    public int SeedCount { get; init; } = 1;
    public SeedSummary? ValInterval { get; init; }
    public SeedSummary? TestInterval { get; init; }
    public SeedSummary? Interval => TestTop1 is not null ? TestInterval : ValInterval;
    public IReadOnlyDictionary<int, double> AccuracyBySeed { get; init; } = new Dictionary<int, double>();
    public IReadOnlyList<double> Accuracies { get; init; } = [];
}

/// <summary>The grid's winner from grid/best.json.</summary>
public sealed record GridWinner(double Alpha, double Beta, double Gamma, double? Accuracy, int Seeds, string? Verdict)
{
    public double Constraint => Alpha * Beta * Beta * Gamma * Gamma;
}

/// <summary>
/// Everything summary.md and plot.svg show, read from a run directory's files: manifest.json,
/// darts/genotype.json, grid/best.json, scale/coefficients.json and scale.csv, train/family.csv,
/// ablation/ablation.csv. Any of them may be missing (a stage not configured).
/// </summary>
public sealed record RunReport
{
    public required string RunDir { get; init; }
    public required string Name { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public int? Seed { get; init; }
    public string? Device { get; init; }
    public string? Libtorch { get; init; }
    public string? GitCommit { get; init; }
    public string? Dataset { get; init; }
    public IReadOnlyList<(string Stage, string Status, double? Seconds)> Stages { get; init; } = [];
    /// <summary>darts/genotype.json: a one-line form when it has one ("text" or "genotype"), else the compact JSON.</summary>
    public string? Genotype { get; init; }
    public GridWinner? Grid { get; init; }
    /// <summary>How the family was scaled (scale/coefficients.json): mode, table, α, β, γ, source.</summary>
    public JsonObject? Scaling { get; init; }
    /// <summary>One row per arm (member or baseline), averaged over its seeds.</summary>
    public IReadOnlyList<ReportRow> Rows { get; init; } = [];
    /// <summary>train/family.csv as written: one row per arm and seed.</summary>
    public IReadOnlyList<ReportRow> SeedRows { get; init; } = [];
    /// <summary>The groups stages.report.groups names, each over its arms' means.</summary>
    public IReadOnlyList<ArmGroup> Groups { get; init; } = [];
    /// <summary>The comparisons stages.report.compare names (arms or groups), tested.</summary>
    public IReadOnlyList<ArmComparison> Comparisons { get; init; } = [];
    /// <summary>The level the comparisons are judged at (stages.report.significance, or `research report --significance`).</summary>
    public double Significance { get; init; } = new ReportSettings().Significance;
    /// <summary>The train stage's epochs (null when it was imported).</summary>
    public int? Epochs { get; init; }
    /// <summary>The most seeds any arm ran.</summary>
    public int MaxSeeds => Rows.Count == 0 ? 0 : Rows.Max(r => r.SeedCount);

    /// <summary>Where a trained run with one seed per arm says that it is a smoke test, and where the answers are.</summary>
    public string? SmokeTestNote => !Trained || MaxSeeds > 1 ? null
        : $"One seed{(Epochs is { } e ? $" and {e} epoch{(e == 1 ? "" : "s")}" : "")} per model: a smoke test of the pipeline, not an answer. " +
          "These figures carry no interval and their order is not evidence (set stages.train.seeds, e.g. [1, 2, 3], for intervals and tests). " +
          "Studies with seeds and intervals: results/README.md.";
    /// <summary>True when accuracies were measured (train/family.csv exists).</summary>
    public bool Trained { get; init; }
    public IReadOnlyList<Dictionary<string, string>> Ablation { get; init; } = [];
    /// <summary>The latency table the rows' predicted latencies come from (null: none).</summary>
    public Models.LatencyTables.LatencyTable? LatencyTable { get; init; }

    public string DisplayTitle => Title ?? $"{Name}: accuracy vs MACs";

    /// <param name="latencyTable">a latency table: each row gains its predicted latency (its spec from the train or scale stage)</param>
    /// <param name="significance">the level to judge comparisons at; null: the run's stages.report.significance</param>
    public static RunReport Read(string runDir, string? latencyTable = null, double? significance = null)
    {
        var layout = new RunLayout(runDir);
        if (!File.Exists(layout.Manifest)) throw new FileNotFoundException($"{runDir} is not a run directory (no manifest.json)", layout.Manifest);
        var m = Manifest.Load(layout.Manifest);
        var cfg = m.Config;
        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        string? genotype = null;
        if (File.Exists(layout.Genotype))
        {
            var text = File.ReadAllText(layout.Genotype);
            try
            {
                var node = JsonNode.Parse(text);
                genotype = (node as JsonObject)?["text"] is JsonValue t && t.TryGetValue<string>(out var one) ? one
                    : (node as JsonObject)?["genotype"] is JsonValue g && g.TryGetValue<string>(out var two) ? two
                    : node?.ToJsonString();
            }
            catch (JsonException)
            {
                genotype = text.Trim();
            }
        }

        GridWinner? grid = null;
        if (File.Exists(layout.GridBest))
        {
            var b = JsonNode.Parse(File.ReadAllText(layout.GridBest))!;
            grid = new GridWinner(b["alpha"]!.GetValue<double>(), b["beta"]!.GetValue<double>(), b["gamma"]!.GetValue<double>(),
                b["best"]?["acc_mean"]?.GetValue<double>(), (b["best"]?["accuracies"] as JsonArray)?.Count ?? 0, Str(b["winner_vs_runner_up"]?["verdict"]));
        }

        var scaling = File.Exists(layout.ScaleCoefficients) ? JsonNode.Parse(File.ReadAllText(layout.ScaleCoefficients)) as JsonObject : null;

        var rows = new List<ReportRow>();
        bool trained = File.Exists(layout.FamilyCsv);
        static double? Number(Dictionary<string, string> r, string k) =>
            r.TryGetValue(k, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        static long Integer(Dictionary<string, string> r, string k) =>
            r.TryGetValue(k, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        if (trained)
            rows.AddRange(CsvTable.Read(layout.FamilyCsv).Select(r => new ReportRow(r["kind"], r["name"], Number(r, "phi"), Integer(r, "params"), Integer(r, "macs"),
                (int)Integer(r, "resolution"), Number(r, "val_top1"), Number(r, "test_top1"), Number(r, "images_per_s"), Number(r, "seconds"))
            {
                Seed = Number(r, "seed") is { } seed ? (int)seed : null,
            }));
        else if (File.Exists(layout.ScaleCsv))
            rows.AddRange(CsvTable.Read(layout.ScaleCsv).Select(r => new ReportRow("member", r["name"], Number(r, "phi"), Integer(r, "params"), Integer(r, "macs"),
                (int)Integer(r, "resolution"), null, null, null, null)));

        var ablation = File.Exists(layout.AblationCsv) ? CsvTable.Read(layout.AblationCsv) : [];
        var table = latencyTable is null ? null : Models.LatencyTables.LatencyTable.Load(latencyTable);
        if (table is not null) rows = rows.Select(r => r with { PredictedLatencyMs = table.Predict(SpecOf(layout, r)) }).ToList();

        var arms = SeedAggregation.Arms(rows);
        var report = cfg["stages"]?["report"];
        double level = significance ?? report?["statistics"]?["significance"]?.GetValue<double>() ?? new ReportSettings().Significance;
        var train = cfg["stages"]?["train"];
        var labels = (train?["baselines"] as JsonArray ?? []).Select(b =>
            Config.ArmNames.Baseline(Str(b?["model"]) ?? "", b?["overrides"]?["width_mult"] is JsonValue w && w.TryGetValue<double>(out var wm) ? wm : null)).ToList();
        var groups = (report?["groups"] as JsonObject ?? new JsonObject())
            .Select(g => ArmGroup.Of(g.Key, (g.Value as JsonArray ?? []).Select(Str).OfType<string>().ToList(), a => Arm(a, arms, labels))).ToList();
        ReportRow? Side(string name) => groups.FirstOrDefault(g => g.Name == name)?.Row ?? Arm(name, arms, labels);
        var comparisons = (report?["compare"] as JsonArray ?? []).OfType<JsonArray>().Where(p => p.Count == 2)
            .Select(p => (A: Str(p[0]) ?? "", B: Str(p[1]) ?? ""))
            .Select(p => ArmComparison.Of(p.A, p.B, Side(p.A), Side(p.B), level)).ToList();

        return new RunReport
        {
            RunDir = runDir, Name = m.Name, Title = Str(cfg["stages"]?["report"]?["title"]), Description = Str(cfg["description"]), Seed = m.Seed,
            Device = Str(m.Environment?["device"]), Libtorch = Str(m.Environment?["libtorch"]), GitCommit = Str(m.Environment?["git_commit"]),
            Dataset = Str(cfg["dataset"]?["name"]),
            Stages = m.Stages.Select(s => (s.Name, s.Status, s.Seconds)).ToList(),
            Genotype = genotype, Grid = grid, Scaling = scaling, Rows = arms, SeedRows = rows, Trained = trained, Ablation = ablation, LatencyTable = table,
            Groups = groups, Comparisons = comparisons, Significance = level,
            Epochs = train?["recipe"]?["epochs"] is JsonValue ep && ep.TryGetValue<int>(out var epochs) ? epochs : null,
        };
    }

    /// <summary>
    /// The arm a comparison names: phiN, the member at φ N; a baseline's label (model and width as written), the
    /// baseline at that place in stages.train.baselines; else a row of that name (a run whose train stage was imported).
    /// </summary>
    private static ReportRow? Arm(string arm, IReadOnlyList<ReportRow> arms, IReadOnlyList<string> baselineLabels)
    {
        if (Config.ArmNames.IsMember(arm, out double phi)) return arms.FirstOrDefault(r => r.Kind == "member" && r.Phi == phi);
        var baselines = arms.Where(r => r.Kind == "baseline").ToList();
        int i = baselineLabels.Count(l => l == arm) == 1 ? baselineLabels.ToList().IndexOf(arm) : -1;
        return i >= 0 && i < baselines.Count ? baselines[i] : arms.FirstOrDefault(r => r.Name == arm);
    }

    /// <summary>A row's network: the spec its training run wrote, else the scale stage's member spec.</summary>
    private static Models.Specs.NetworkSpec SpecOf(RunLayout layout, ReportRow row)
    {
        var run = row.Kind == "baseline" ? layout.BaselineRun(row.Name) : layout.MemberRun(row.Name);
        // With seeds each seed trained in its own folder (the same network).
        var trained = Path.Combine(row.Seed is { } seed && !File.Exists(Path.Combine(run, "model.yaml")) ? RunLayout.SeedRun(run, seed) : run, "model.yaml");
        var spec = File.Exists(trained) ? trained : layout.MemberSpec(row.Name);
        if (!File.Exists(spec)) throw new FileNotFoundException($"{layout.Dir}: no spec for '{row.Name}' ({trained} or {spec}) to predict its latency from", spec);
        return Models.Specs.SpecYaml.Load(spec);
    }

    /// <summary>Reads the run and writes summary.md and plot.svg into it.</summary>
    public static RunReport Write(string runDir, string? latencyTable = null, double? significance = null)
    {
        var report = Read(runDir, latencyTable, significance);
        var layout = new RunLayout(runDir);
        DurableFile.WriteAllText(layout.Plot, SvgPlot.Render(report));
        DurableFile.WriteAllText(layout.Summary, MarkdownReport.Render(report));
        return report;
    }
}
