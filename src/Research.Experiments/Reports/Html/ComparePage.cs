using System.Text.Json.Nodes;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// Two or more runs side by side: what each is and where it stands, their families on one
/// accuracy-against-MACs chart and in one table, every trained network's held-out curve on one
/// chart, and the DARTS searches' op-weight entropy together.
/// </summary>
public static class ComparePage
{
    public static ReportModel Build(IReadOnlyList<(string Label, RunSnapshot Run)> runs)
    {
        var notes = runs.SelectMany(r => r.Run.Notes.Select(n => $"{r.Label}: {n}")).ToList();
        var overview = new HtmlTable("compare-runs", ["run", "kind", "status", "searched cell", "α", "β", "γ", "trained networks"]);
        foreach (var (label, s) in runs)
        {
            double? B(string k) => s.GridBest?[k] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
            overview.Add([label, string.Join(" + ", s.Kinds), s.State.Text, s.Genotype?.Genotype.ToString() ?? "", HtmlCell.Number(B("alpha"), "0.###"),
                HtmlCell.Number(B("beta"), "0.###"), HtmlCell.Number(B("gamma"), "0.###"), HtmlCell.Number(s.Trained.Count, "0")]);
        }
        var sections = new List<ReportSection> { new("runs", "Runs", [ReportBlock.Fragment("compare-runs", null, overview.ToHtml())]) };

        var families = runs.Select(r => (r.Label, RunPage.FamilyTable(r.Run).Table)).Where(f => f.Table.Rows.Count > 0).ToList();
        var familyBlocks = new List<ReportBlock>();
        if (RunCharts.Family(families, "macs", "MACs (log scale)", logX: true) is { } chart)
            familyBlocks.Add(ReportBlock.Chart("compare-family", "Families: accuracy against MACs", chart, "one colour per run; lines: family members, dotted markers: baselines"));
        if (families.Count > 0)
        {
            var header = new List<string> { "run" };
            header.AddRange(families.SelectMany(f => f.Table.Header).Distinct());
            var table = new HtmlTable("compare-family-table", header);
            foreach (var (label, t) in families)
                foreach (var row in t.Rows)
                    table.Add(header.Select((h, i) => i == 0 ? (HtmlCell)label : row.TryGetValue(h, out var v) ? HtmlTable.Cell(v) : ""));
            familyBlocks.Add(ReportBlock.Fragment("compare-family-table", "Family tables", table.ToHtml()));
        }
        if (familyBlocks.Count > 0) sections.Add(new ReportSection("family", "Families", familyBlocks));

        var trained = runs.SelectMany(r => r.Run.Trained.Where(t => t.Group is not "candidate" and not "random").Select(t => (r.Label, Run: t))).ToList();
        var byName = trained.ToDictionary(t => t.Run, t => t.Label);
        if (RunCharts.Curves(trained.Select(t => t.Run).ToList(), "train_acc", "val_top1", "top-1 accuracy (%)", t => $"{byName[t]}: {t.Name}") is { } curves)
            sections.Add(new ReportSection("curves", "Training curves", [ReportBlock.Chart("compare-curves", "Accuracy per epoch, every run", curves, "solid: held-out (or test) top-1; dotted: training")]));

        var searches = runs.Where(r => r.Run.DartsEpochs is { Rows.Count: > 0 }).ToList();
        if (searches.Count > 0)
        {
            var traces = searches.Select((r, i) => PlotlyJson.Scatter(r.Label, r.Run.DartsEpochs!.Numbers("epoch").Select((e, k) => e ?? k + 1),
                r.Run.DartsEpochs.Numbers("alpha_entropy"), color: PlotlyJson.Color(i)));
            var layout = PlotlyJson.Layout("epoch", "mean entropy of the op weights (nats)");
            sections.Add(new ReportSection("darts", "Cell searches", [ReportBlock.Chart("compare-entropy", "Entropy of the op weights, every search", PlotlyJson.Figure(traces, layout))]));
        }
        string title = runs.Count switch
        {
            0 => "Compare runs",
            _ => string.Create(CultureInfo.InvariantCulture, $"Compare {runs.Count} runs"),
        };
        return new ReportModel(title, string.Join(" · ", runs.Select(r => r.Label)), null, notes, sections);
    }
}
