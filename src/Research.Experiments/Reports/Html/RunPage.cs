using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Models.Cells;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// The report of one run as a <see cref="ReportModel"/>: the experiment and its manifest, the
/// searched cells drawn, the architecture weights and their entropy over the epochs, every trained
/// network's curves, the grid's candidates in (α, β, γ) with the winner, the family against MACs
/// with its baselines, and sortable tables of members and candidates. Sections appear as their
/// files do, so the same page follows a run while it is written.
/// </summary>
public static class RunPage
{
    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ReportModel Build(RunSnapshot s)
    {
        var sections = new List<ReportSection> { Overview(s) };
        if (s.DartsDir is not null) sections.Add(Darts(s));
        if (s.RandomBaseline is not null) sections.Add(Random(s));
        if (s.GridDir is not null) sections.Add(Grid(s));
        if (s.Scale is { } scale) sections.Add(new ReportSection("scale", "Scaled family (costs)", [ReportBlock.Fragment("scale-table", "scale/scale.csv", HtmlTable.Of("scale-table", scale).ToHtml())]));
        if (Family(s) is { } family) sections.Add(family);
        if (!s.IsExperiment && s.Trained.FirstOrDefault(t => t.Group == "model") is { } model) sections.Add(Training(s, model));
        if (s.Ablation is { } ablation)
            sections.Add(new ReportSection("ablation", "Scaling ablation (matched MACs)", [ReportBlock.Fragment("ablation-table", "ablation/ablation.csv", HtmlTable.Of("ablation-table", ablation).ToHtml())]));
        string title = (s.Manifest?.Config["stages"]?["report"]?["title"] as JsonValue)?.GetValue<string>() ?? s.Manifest?.Name ?? s.Name;
        string subtitle = s.IsExperiment ? $"experiment run {s.Name}" : $"{string.Join(" + ", s.Kinds)} run {s.Name}";
        return new ReportModel(title, subtitle, s.State, s.Notes, sections.Where(x => x.Blocks.Count > 0).ToList());
    }

    private static ReportSection Overview(RunSnapshot s)
    {
        var facts = new List<(string, string)>();
        var m = s.Manifest;
        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var x) ? x : null;
        if (m is not null)
        {
            facts.Add(("experiment", m.Name));
            if (Str(m.Config["description"]) is { } d) facts.Add(("description", d.Trim()));
            if (m.ExperimentFile is { } f) facts.Add(("experiment file", f));
            facts.Add(("config hash", m.Hash));
            facts.Add(("seed", m.Seed.ToString(CultureInfo.InvariantCulture)));
            if (Str(m.Config["dataset"]?["name"]) is { } ds) facts.Add(("dataset", ds));
            foreach (var (key, label) in new[] { ("device", "device"), ("libtorch", "libtorch"), ("dotnet", ".NET"), ("git_commit", "git commit"), ("host", "host") })
                if (Str(m.Environment?[key]) is { } v) facts.Add((label, v));
            facts.Add(("started", m.Started.ToString("u", CultureInfo.InvariantCulture)));
            if (m.Ended is { } end) facts.Add(("ended", end.ToString("u", CultureInfo.InvariantCulture)));
            facts.Add(("invocations", m.Invocations.ToString(CultureInfo.InvariantCulture)));
        }
        facts.Add(("run directory", s.Name));
        facts.Add(("status", s.State.Text));
        if (s.LastWrite is { } lw) facts.Add(("last file written", lw.ToString("u", CultureInfo.InvariantCulture)));
        var blocks = new List<ReportBlock>
        {
            ReportBlock.Fragment("facts", null, "<table class=\"facts\">" + string.Concat(facts.Select(f => $"<tr><th>{E(f.Item1)}</th><td>{E(f.Item2)}</td></tr>")) + "</table>"),
        };
        if (m is not null && m.Stages.Count > 0)
        {
            var t = new HtmlTable("stages-table", ["stage", "status", "started", "ended", "seconds", "note", "error"]);
            foreach (var st in m.Stages.Where(x => x.Name != "report")) // the report stage writes this page: it is always running here
                t.Add([st.Name, st.Status, st.Started?.ToString("u", CultureInfo.InvariantCulture) ?? "", st.Ended?.ToString("u", CultureInfo.InvariantCulture) ?? "",
                    HtmlCell.Number(st.Seconds, "0.0"), st.Note ?? "", st.Error ?? ""], $"stage-{st.Status}");
            blocks.Add(ReportBlock.Fragment("stages", "Stages", t.ToHtml()));
        }
        if (m is not null) blocks.Add(Details("manifest", "manifest.json: the resolved config, its inputs and the environment", m.ToJson()));
        if (s.TrainConfig is { } tc) blocks.Add(Details("train-config", "train.json: the model, the recipe and the data", tc));
        if (s.LogTail.Count > 0)
            blocks.Add(ReportBlock.Fragment("log", "log.txt (last lines)", $"<pre class=\"log\">{E(string.Join('\n', s.LogTail))}</pre>"));
        return new ReportSection("overview", "Run", blocks);
    }

    private static ReportBlock Details(string id, string summary, JsonNode json) =>
        ReportBlock.Fragment(id, null, $"<details><summary>{E(summary)}</summary><pre class=\"json\">{E(json.ToJsonString(Indented))}</pre></details>");

    private static ReportSection Darts(RunSnapshot s)
    {
        var blocks = new List<ReportBlock>();
        string rel = s.IsExperiment ? "darts/" : "";
        var ops = s.Alphas?.Rows.Select(r => r.GetValueOrDefault("op") ?? "").Distinct().ToList() is { Count: > 0 } fromAlphas ? fromAlphas
            : s.Genotype?.Genotype.Ops.Select(o => o.Name).ToList() ?? [];
        (CellGenotype Normal, CellGenotype Reduce)? cells = s.Genotype is { } g ? (g.Genotype.Normal, g.Genotype.Reduce) : null;
        string caption = $"{rel}genotype.json";
        if (cells is null && s.DartsEpochs?.Rows.LastOrDefault() is { } last && GenotypeText.TryParse(last.GetValueOrDefault("genotype")) is { } now)
        {
            cells = now;
            caption = $"derived from the architecture weights after epoch {last.GetValueOrDefault("epoch")} ({rel}darts_epochs.csv); the search has not written genotype.json yet";
        }
        if (cells is { } c)
            blocks.Add(ReportBlock.Fragment("cells", "Searched cells", "<div class=\"cells\">" + CellDiagram.Svg(c.Normal, "normal cell", ops) +
                CellDiagram.Svg(c.Reduce, "reduction cell", ops) + "</div>", caption));
        else blocks.Add(ReportBlock.Fragment("cells", "Searched cells", "<p class=\"missing\">No cell yet: neither genotype.json nor an epoch of darts_epochs.csv.</p>"));
        if (s.DartsEpochs is { } epochs)
        {
            if (RunCharts.DartsProgress(epochs) is { } p)
                blocks.Add(ReportBlock.Chart("darts-progress", "Search accuracy and loss per epoch", p,
                    "dotted: the half of the split that trains the weights; solid: the half that trains the architecture"));
            if (RunCharts.Entropy(epochs) is { } h)
                blocks.Add(ReportBlock.Chart("darts-entropy", "Entropy of the op weights", h,
                    "mean over the edges of the entropy of each edge's softmax over ops: ln(#ops) when undecided, falling as the search decides"));
        }
        if (s.Alphas is { } alphas)
            foreach (var (cell, label) in new[] { ("normal", "normal"), ("reduce", "reduction") })
                if (RunCharts.Alphas(alphas, cell) is { } f)
                    blocks.Add(ReportBlock.Chart($"alphas-{cell}", $"Architecture weights of the {label} cell per edge", f,
                        $"softmax weight of each op on each edge at the end of each epoch ({rel}alphas.csv)"));
        if (s.DartsEpochs is { Rows.Count: > 0 } table)
            blocks.Add(ReportBlock.Fragment("darts-table", $"{rel}darts_epochs.csv", HtmlTable.Of("darts-table", table).ToHtml()));
        return new ReportSection("darts", "Cell search (DARTS)", blocks);
    }

    private static ReportSection Random(RunSnapshot s)
    {
        var blocks = new List<ReportBlock>();
        var table = s.RandomBaseline!;
        if (RunCharts.RandomCandidates(table) is { } f) blocks.Add(ReportBlock.Chart("random-scatter", "Random genotypes: held-out accuracy against MACs", f));
        var runs = s.Trained.Where(t => t.Group == "random").ToList();
        if (RunCharts.Curves(runs, "train_acc", "val_top1", "top-1 accuracy (%)", r => $"random #{r.Name}") is { } c)
            blocks.Add(ReportBlock.Chart("random-curves", "Random genotypes: accuracy per epoch", c, "solid: held-out; dotted: training"));
        blocks.Add(ReportBlock.Fragment("random-table", "random_baseline.csv", HtmlTable.Of("random-table", table).ToHtml()));
        return new ReportSection("random", "Random search baseline", blocks);
    }

    private static ReportSection Grid(RunSnapshot s)
    {
        var blocks = new List<ReportBlock>();
        if (s.GridBest is { } best)
        {
            double A(string k) => best[k]?.GetValue<double>() ?? double.NaN;
            var line = Inv($"α = {A("alpha"):0.###}, β = {A("beta"):0.###}, γ = {A("gamma"):0.###} (α·β²·γ² = {A("alpha") * A("beta") * A("beta") * A("gamma") * A("gamma"):0.###})");
            if (best["best"]?["acc_mean"] is JsonValue acc) line += Inv($", held-out top-1 {acc.GetValue<double>():0.##}%");
            var html = $"<p class=\"winner\">Winner: {E(line)}.</p>";
            if (best["winner_vs_runner_up"]?["verdict"] is JsonValue v) html += $"<p>Against the runner-up: {E(v.GetValue<string>())}.</p>";
            blocks.Add(ReportBlock.Fragment("grid-best", null, html));
        }
        if (s.Candidates is { } candidates)
        {
            if (RunCharts.Coefficients(candidates, s.GridBest) is { } f)
                blocks.Add(ReportBlock.Chart("grid-scatter", "Candidates in (α, β, γ)", f, "colour: held-out top-1 (mean over seeds); star: the winner"));
            double? Bx(string k) => s.GridBest?[k]?.GetValue<double>();
            bool IsWinner(IReadOnlyDictionary<string, string> r) => Bx("alpha") is { } a && Close(TableFile.Number(r, "alpha"), a)
                && Close(TableFile.Number(r, "beta"), Bx("beta")) && Close(TableFile.Number(r, "gamma"), Bx("gamma"));
            blocks.Add(ReportBlock.Fragment("grid-table", s.IsExperiment ? "grid/candidates.csv" : "candidates.csv",
                HtmlTable.Of("grid-table", candidates, r => IsWinner(r) ? "winner" : null).ToHtml()));
        }
        var runs = s.Trained.Where(t => t.Group == "candidate").ToList();
        if (RunCharts.Curves(runs, "train_acc", "val_top1", "held-out top-1 (%)") is { } curves)
            blocks.Add(ReportBlock.Chart("grid-curves", "Candidates: accuracy per epoch", curves, "one line per candidate (α_β_γ) and seed; solid: held-out, dotted: training"));
        return new ReportSection("grid", "Compound-scaling coefficients (grid search)", blocks);
    }

    private static bool Close(double? a, double? b) => a is { } x && b is { } y && Math.Abs(x - y) < 1e-9;

    private static ReportSection? Family(RunSnapshot s)
    {
        var members = s.Trained.Where(t => t.Group is "member" or "baseline").ToList();
        if (s.Family is null && members.Count == 0) return null;
        var blocks = new List<ReportBlock>();
        var (table, source) = FamilyTable(s);
        if (RunCharts.Family([(s.Name, table)], "macs", "MACs (log scale)", logX: true) is { } chart)
            blocks.Add(ReportBlock.Chart("family-chart", "Family: accuracy against MACs", chart,
                $"{source}; test top-1 where measured, else held-out{(table.Has("seed") ? "; error bars: standard deviation over the seeds" : "")}"));
        foreach (var latency in new[] { "latency_ms", "predicted_latency_ms" }.Where(table.Has))
            if (RunCharts.Family([(s.Name, table)], latency, "predicted latency (ms)", logX: false) is { } lc)
                blocks.Add(ReportBlock.Chart("family-latency", "Family: accuracy against predicted latency", lc, source));
        if (table.Rows.Count > 0) blocks.Add(ReportBlock.Fragment("family-table", source, HtmlTable.Of("family-table", table).ToHtml()));
        if (RunCharts.Curves(members, "train_loss", "val_loss", "loss") is { } loss)
            blocks.Add(ReportBlock.Chart("train-loss", "Training curves: loss", loss, "solid: held-out (or test) loss; dotted: training loss"));
        if (RunCharts.Curves(members, "train_acc", "val_top1", "top-1 accuracy (%)") is { } acc)
            blocks.Add(ReportBlock.Chart("train-accuracy", "Training curves: accuracy", acc, "solid: held-out (or test) top-1; dotted: training accuracy"));
        return new ReportSection("family", "Family and baselines", blocks);
    }

    /// <summary>
    /// The family's rows: train/family.csv, or, until the train stage writes it, one row per member
    /// or baseline that has finished (its metrics.json), and where they came from.
    /// </summary>
    public static (TableFile Table, string Source) FamilyTable(RunSnapshot s) =>
        s.Family is { Rows.Count: > 0 } f ? (f, "train/family.csv")
            : (SoFar(s.Trained.Where(t => t.Group is "member" or "baseline" or "model").ToList(), s.Scale),
                s.IsExperiment ? "the members' metrics.json so far (train/family.csv is written when the stage ends)" : "metrics.json");

    private static TableFile SoFar(IReadOnlyList<TrainedRun> members, TableFile? scale)
    {
        var rows = new List<Dictionary<string, string>>();
        foreach (var m in members.Where(m => m.Metrics is not null))
        {
            string N(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
            var phi = scale?.Rows.FirstOrDefault(r => r.GetValueOrDefault("name") is { } name && ScaleNameMatches(name, m.Name))?.GetValueOrDefault("phi") ?? "";
            rows.Add(new Dictionary<string, string>
            {
                ["kind"] = m.Group, ["name"] = m.Name, ["phi"] = m.Group == "member" ? phi : "", ["params"] = N(m.Metrics!["params"]), ["macs"] = N(m.Metrics["macs"]),
                ["resolution"] = N(m.Metrics["resolution"]), ["val_top1"] = N(m.Metrics["final"]?["ValTop1"]), ["epochs"] = N(m.Metrics["epochs"]),
            });
        }
        return new TableFile("", ["kind", "name", "phi", "params", "macs", "resolution", "val_top1", "epochs"], rows, null);
    }

    private static bool ScaleNameMatches(string scaleName, string folder) => Research.Core.IO.SafeFileName.Of(scaleName) == folder;

    private static ReportSection Training(RunSnapshot s, TrainedRun model)
    {
        var blocks = new List<ReportBlock>();
        if (model.Metrics is { } m)
        {
            string N(JsonNode? n, string format) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString(format, CultureInfo.InvariantCulture) : "";
            var facts = new[]
            {
                ("model", (m["model"] as JsonValue)?.ToString() ?? ""), ("dataset", (m["dataset"] as JsonValue)?.ToString() ?? ""),
                ("parameters", N(m["params"], "N0")), ("MACs", N(m["macs"], "N0")), ("resolution", N(m["resolution"], "0")), ("epochs", N(m["epochs"], "0")),
                ("final held-out top-1 (%)", N(m["final"]?["ValTop1"], "0.00")), ("best held-out top-1 (%)", N(m["best"]?["ValTop1"], "0.00")),
                ("training seconds", N(m["train_seconds"], "0.0")), ("images/s", N(m["images_per_s"], "0.0")),
            };
            blocks.Add(ReportBlock.Fragment("metrics", "metrics.json", "<table class=\"facts\">" + string.Concat(facts.Select(f => $"<tr><th>{E(f.Item1)}</th><td>{E(f.Item2)}</td></tr>")) + "</table>"));
        }
        if (RunCharts.Curves([model], "train_loss", "val_loss", "loss") is { } loss) blocks.Add(ReportBlock.Chart("train-loss", "Loss per epoch", loss, "solid: validation; dotted: training"));
        if (RunCharts.Curves([model], "train_acc", "val_top1", "top-1 accuracy (%)") is { } acc)
            blocks.Add(ReportBlock.Chart("train-accuracy", "Accuracy per epoch", acc, "solid: validation top-1; dotted: training accuracy"));
        if (model.History is { Rows.Count: > 0 } h) blocks.Add(ReportBlock.Fragment("history-table", "history.csv", HtmlTable.Of("history-table", h).ToHtml()));
        return new ReportSection("training", "Training", blocks);
    }
}
