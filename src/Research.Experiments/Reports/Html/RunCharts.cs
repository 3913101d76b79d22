using System.Text.Json.Nodes;
using static Research.Experiments.Reports.Html.PlotlyJson;

namespace Research.Experiments.Reports.Html;

/// <summary>One point of the family chart: a member or baseline, averaged over its seeds when a run has several.</summary>
public sealed record FamilyPoint(string Kind, string Name, double X, double Y, double? Spread, int Seeds, long Params, long Macs);

/// <summary>The report's charts, each a plotly.js figure built from a run's files.</summary>
public static class RunCharts
{
    private static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// Per-epoch curves of every trained network: <paramref name="held"/> solid (the held-out or
    /// validation column), <paramref name="train"/> dotted, one colour per network.
    /// </summary>
    public static JsonObject? Curves(IReadOnlyList<TrainedRun> runs, string train, string held, string yTitle, Func<TrainedRun, string>? label = null)
    {
        var traces = new List<JsonObject>();
        int i = 0;
        foreach (var r in runs)
        {
            if (r.History is not { Rows.Count: > 0 } h) continue;
            string name = label?.Invoke(r) ?? r.Name, color = Color(i++);
            var epochs = h.Rows.Select((row, k) => TableFile.Number(row, "epoch") ?? k + 1).ToList();
            if (h.Has(held)) traces.Add(Scatter(name, epochs, h.Numbers(held), color: color, group: name));
            if (h.Has(train)) traces.Add(Scatter($"{name} (train)", epochs, h.Numbers(train), color: color, dash: "dot", group: name, showLegend: !h.Has(held)));
        }
        if (traces.Count == 0) return null;
        var layout = Layout("epoch", yTitle, legend: traces.Count > 1);
        ((JsonObject)layout["xaxis"]!)["dtick"] = 1;
        return Figure(traces, layout);
    }

    /// <summary>The DARTS search per epoch: accuracies (left axis) and losses (right axis) on both halves of the split.</summary>
    public static JsonObject? DartsProgress(TableFile epochs)
    {
        if (epochs.Rows.Count == 0) return null;
        var x = epochs.Numbers("epoch").Select((e, k) => e ?? k + 1).ToList();
        var traces = new List<JsonObject>
        {
            Scatter("weights' half: accuracy", x, epochs.Numbers("train_acc"), color: Color(0), dash: "dot"),
            Scatter("architecture's half: accuracy", x, epochs.Numbers("val_acc"), color: Color(0)),
            Scatter("weights' half: loss", x, epochs.Numbers("train_loss"), color: Color(1), dash: "dot"),
            Scatter("architecture's half: loss", x, epochs.Numbers("val_loss"), color: Color(1)),
        };
        traces[2]["yaxis"] = "y2";
        traces[3]["yaxis"] = "y2";
        var layout = Layout("epoch", "top-1 accuracy (%)");
        layout["yaxis2"] = Axis("loss");
        ((JsonObject)layout["yaxis2"]!)["overlaying"] = "y";
        ((JsonObject)layout["yaxis2"]!)["side"] = "right";
        ((JsonObject)layout["xaxis"]!)["dtick"] = 1;
        return Figure(traces, layout);
    }

    /// <summary>The mean entropy of the op weights per epoch (falling: the search is deciding) and the cells' expected MACs.</summary>
    public static JsonObject? Entropy(TableFile epochs)
    {
        if (epochs.Rows.Count == 0 || !epochs.Has("alpha_entropy")) return null;
        var x = epochs.Numbers("epoch").Select((e, k) => e ?? k + 1).ToList();
        var traces = new List<JsonObject> { Scatter("op-weight entropy (nats)", x, epochs.Numbers("alpha_entropy"), color: Color(4)) };
        var layout = Layout("epoch", "mean entropy of the op weights (nats)");
        ((JsonObject)layout["xaxis"]!)["dtick"] = 1;
        if (epochs.Has("expected_mmacs"))
        {
            var macs = Scatter("expected MACs of the cells (M)", x, epochs.Numbers("expected_mmacs"), color: Color(7), dash: "dash");
            macs["yaxis"] = "y2";
            traces.Add(macs);
            layout["yaxis2"] = Axis("expected MACs (millions)");
            ((JsonObject)layout["yaxis2"]!)["overlaying"] = "y";
            ((JsonObject)layout["yaxis2"]!)["side"] = "right";
        }
        return Figure(traces, layout);
    }

    /// <summary>
    /// The architecture weights of one cell type over the epochs: one small chart per edge (node ←
    /// input), one line per op, every op in the same colour everywhere, the y scale shared.
    /// </summary>
    public static JsonObject? Alphas(TableFile alphas, string cell)
    {
        var rows = alphas.Rows.Where(r => r.GetValueOrDefault("cell") == cell).ToList();
        if (rows.Count == 0) return null;
        var ops = rows.Select(r => r.GetValueOrDefault("op") ?? "").Distinct().ToList();
        var edges = rows.GroupBy(r => (int)(TableFile.Number(r, "edge") ?? -1)).OrderBy(g => g.Key).ToList();
        int cols = Math.Min(5, edges.Count), gridRows = (edges.Count + cols - 1) / cols;
        var traces = new List<JsonObject>();
        var titles = new JsonArray();
        var layout = new JsonObject
        {
            ["height"] = 60 + gridRows * 190,
            ["margin"] = new JsonObject { ["l"] = 50, ["r"] = 20, ["t"] = 30, ["b"] = 110 },
            ["hovermode"] = "closest",
            ["grid"] = new JsonObject { ["rows"] = gridRows, ["columns"] = cols, ["pattern"] = "independent", ["ygap"] = 0.45, ["xgap"] = 0.12 },
            ["legend"] = new JsonObject { ["orientation"] = "h", ["y"] = -0.08, ["yanchor"] = "top" },
        };
        bool single = rows.Select(r => r.GetValueOrDefault("epoch")).Distinct().Count() == 1;
        for (int e = 0; e < edges.Count; e++)
        {
            string axis = e == 0 ? "" : (e + 1).ToString(CultureInfo.InvariantCulture);
            var first = edges[e].First();
            int node = (int)(TableFile.Number(first, "node") ?? 0), input = (int)(TableFile.Number(first, "input") ?? 0);
            titles.Add(SubplotTitle(axis, $"node {node - 2} ← {CellDiagram.StateHtml(input)}"));
            for (int o = 0; o < ops.Count; o++)
            {
                var series = edges[e].Where(r => r.GetValueOrDefault("op") == ops[o]).OrderBy(r => TableFile.Number(r, "epoch")).ToList();
                var t = Scatter(ops[o], series.Select(r => TableFile.Number(r, "epoch") ?? 0), series.Select(r => TableFile.Number(r, "weight")),
                    mode: single ? "markers" : "lines+markers", color: CellDiagram.OpColor(ops[o], ops), group: ops[o], showLegend: e == 0);
                t["xaxis"] = $"x{axis}";
                t["yaxis"] = $"y{axis}";
                traces.Add(t);
            }
            var x = Axis(null);
            x["dtick"] = 1;
            var y = Axis(null);
            if (e > 0) y["matches"] = "y";
            layout[$"xaxis{axis}"] = x;
            layout[$"yaxis{axis}"] = y;
        }
        layout["annotations"] = titles;
        return Figure(traces, layout);
    }

    /// <summary>
    /// The grid's candidates in (α, β, γ): three views of the constraint surface (α–β, α–γ, β–γ),
    /// each point coloured by its held-out accuracy, the winner drawn as a star.
    /// </summary>
    public static JsonObject? Coefficients(TableFile candidates, JsonObject? best)
    {
        var rows = candidates.Rows.Where(r => TableFile.Number(r, "alpha") is not null).ToList();
        if (rows.Count == 0) return null;
        double[] A(string k) => rows.Select(r => TableFile.Number(r, k) ?? double.NaN).ToArray();
        var (alpha, beta, gamma, acc) = (A("alpha"), A("beta"), A("gamma"), rows.Select(r => TableFile.Number(r, "acc_mean")).ToArray());
        var hover = rows.Select(r =>
            $"α {r.GetValueOrDefault("alpha")}, β {r.GetValueOrDefault("beta")}, γ {r.GetValueOrDefault("gamma")}<br>" +
            $"held-out top-1 {Human.Num(TableFile.Number(r, "acc_mean"))}% ± {Human.Num(TableFile.Number(r, "acc_std"))} ({r.GetValueOrDefault("n_seeds")} seed(s))<br>" +
            $"MACs ×{Human.Num(TableFile.Number(r, "macs_ratio"), "0.###")}" +
            (r.TryGetValue("rung", out var rung) && rung != "0" ? $", stopped at rung {rung} after {r.GetValueOrDefault("epochs")} epoch(s)" : "")).ToList();
        double? bestA = best?["alpha"]?.GetValue<double>(), bestB = best?["beta"]?.GetValue<double>(), bestG = best?["gamma"]?.GetValue<double>();
        var views = new (string X, double[] Xs, string Y, double[] Ys, double? Bx, double? By)[]
        {
            ("α (depth)", alpha, "β (width)", beta, bestA, bestB), ("α (depth)", alpha, "γ (resolution)", gamma, bestA, bestG),
            ("β (width)", beta, "γ (resolution)", gamma, bestB, bestG),
        };
        var traces = new List<JsonObject>();
        var layout = Layout(null, null, height: 380);
        layout["grid"] = new JsonObject { ["rows"] = 1, ["columns"] = 3, ["pattern"] = "independent", ["xgap"] = 0.25 };
        layout["margin"] = new JsonObject { ["l"] = 60, ["r"] = 90, ["t"] = 20, ["b"] = 90 };
        for (int v = 0; v < views.Length; v++)
        {
            string axis = v == 0 ? "" : (v + 1).ToString(CultureInfo.InvariantCulture);
            var t = new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = "candidates", ["showlegend"] = v == 0, ["legendgroup"] = "candidates",
                ["x"] = Numbers(views[v].Xs.Select(d => (double?)d)), ["y"] = Numbers(views[v].Ys.Select(d => (double?)d)),
                ["text"] = new JsonArray(hover.Select(h => (JsonNode?)h).ToArray()), ["hoverinfo"] = "text",
                ["xaxis"] = $"x{axis}", ["yaxis"] = $"y{axis}",
                ["marker"] = new JsonObject
                {
                    ["size"] = 12, ["color"] = Numbers(acc), ["colorscale"] = "Viridis", ["showscale"] = v == 2,
                    ["colorbar"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "held-out<br>top-1 (%)" } },
                    ["line"] = new JsonObject { ["width"] = 1, ["color"] = "#333" },
                },
            };
            traces.Add(t);
            if (views[v].Bx is { } bx && views[v].By is { } by)
                traces.Add(new JsonObject
                {
                    ["type"] = "scatter", ["mode"] = "markers", ["name"] = "winner (best.json)", ["showlegend"] = v == 0, ["legendgroup"] = "winner",
                    ["x"] = new JsonArray(bx), ["y"] = new JsonArray(by), ["xaxis"] = $"x{axis}", ["yaxis"] = $"y{axis}",
                    ["hovertext"] = $"winner: α {F(bestA!.Value, "0.###")}, β {F(bestB!.Value, "0.###")}, γ {F(bestG!.Value, "0.###")}", ["hoverinfo"] = "text",
                    ["marker"] = new JsonObject { ["symbol"] = "star-open", ["size"] = 26, ["color"] = "#d62728", ["line"] = new JsonObject { ["width"] = 3 } },
                });
            layout[$"xaxis{axis}"] = Axis(views[v].X);
            layout[$"yaxis{axis}"] = Axis(views[v].Y);
        }
        return Figure(traces, layout);
    }

    /// <summary>
    /// The family's rows as chart points: one per member or baseline; where a run has a <c>seed</c>
    /// column and several rows of a name, their mean with the half-width of its 95% Student-t
    /// interval as its spread (the interval summary.md and plot.svg show).
    /// </summary>
    public static List<FamilyPoint> FamilyPoints(TableFile table, string xColumn, string yColumn)
    {
        var points = new List<FamilyPoint>();
        foreach (var g in table.Rows.GroupBy(r => (Kind: r.GetValueOrDefault("kind") ?? "member", Name: r.GetValueOrDefault("name") ?? "")))
        {
            var ys = g.Select(r => TableFile.Number(r, yColumn)).Where(v => v is not null).Select(v => v!.Value).ToList();
            var x = g.Select(r => TableFile.Number(r, xColumn)).FirstOrDefault(v => v is not null);
            if (ys.Count == 0 || x is null || x <= 0) continue;
            var summary = SeedStatistics.Summarise(ys);
            double mean = summary.Mean;
            double? spread = summary.HasInterval ? summary.HalfWidth : null;
            var first = g.First();
            points.Add(new FamilyPoint(g.Key.Kind, g.Key.Name, x.Value, mean, spread, ys.Count,
                (long)(TableFile.Number(first, "params") ?? 0), (long)(TableFile.Number(first, "macs") ?? 0)));
        }
        return points;
    }

    /// <summary>
    /// The family's accuracy (or, when nothing was trained, its parameters) against MACs (log) or
    /// another cost column, as EfficientNet's Figure 1: members joined by a line and labelled by φ,
    /// baselines as squares, 95% intervals as error bars where there are seeds. Several runs: one colour each.
    /// </summary>
    public static JsonObject? Family(IReadOnlyList<(string Run, TableFile Table)> runs, string xColumn, string xTitle, bool logX)
    {
        bool accuracy = runs.Any(r => r.Table.Has("test_top1") || r.Table.Has("val_top1"));
        var traces = new List<JsonObject>();
        for (int i = 0; i < runs.Count; i++)
        {
            var (run, table) = runs[i];
            string y = !accuracy ? "params" : table.Rows.Any(r => TableFile.Number(r, "test_top1") is not null) ? "test_top1" : "val_top1";
            var points = FamilyPoints(table, xColumn, y);
            if (!accuracy) points = points.Select(p => p with { Y = p.Y / 1e6, Spread = p.Spread / 1e6 }).ToList();
            string prefix = runs.Count > 1 ? $"{run}: " : "";
            foreach (var (kind, label, marker, mode) in new[] { ("member", "family (compound scaling)", "circle", "lines+markers+text"), ("baseline", "baselines", "square", "markers+text") })
            {
                var pts = points.Where(p => p.Kind == kind).OrderBy(p => p.X).ToList();
                if (pts.Count == 0) continue;
                var t = Scatter(prefix + label, pts.Select(p => p.X), pts.Select(p => (double?)p.Y), mode: mode,
                    color: runs.Count > 1 ? Color(i) : kind == "member" ? Color(0) : Color(3), dash: kind == "member" ? "solid" : "dot",
                    text: pts.Select(p => kind == "member" ? SvgPlot.ShortLabel(p.Name) : p.Name));
                ((JsonObject)t["marker"]!)["symbol"] = marker;
                ((JsonObject)t["marker"]!)["size"] = 10;
                t["textposition"] = "top center";
                t["hovertext"] = new JsonArray(pts.Select(p => (JsonNode?)(Text(p.Name) +
                    $"<br>params {Human.Count(p.Params)}, MACs {Human.Count(p.Macs)}<br>{(accuracy ? $"top-1 {F(p.Y)}%" : $"{F(p.Y)}M parameters")}" +
                    (p.Spread is { } s ? $" ± {F(s)} (95% interval, {p.Seeds} seeds)" : ""))).ToArray());
                t["hoverinfo"] = "text";
                if (pts.Any(p => p.Spread is not null))
                    t["error_y"] = new JsonObject { ["type"] = "data", ["array"] = Numbers(pts.Select(p => p.Spread)), ["visible"] = true };
                if (kind == "baseline") ((JsonObject)t["line"]!)["width"] = 0;
                traces.Add(t);
            }
        }
        if (traces.Count == 0) return null;
        return Figure(traces, Layout(xTitle, accuracy ? "top-1 accuracy (%)" : "parameters (millions)", height: 420, logX: logX));
    }

    /// <summary>The random search's candidates: held-out accuracy against MACs, the best one starred.</summary>
    public static JsonObject? RandomCandidates(TableFile table)
    {
        var rows = table.Rows.Where(r => TableFile.Number(r, "macs") is > 0 && TableFile.Number(r, "val_top1") is not null).ToList();
        if (rows.Count == 0) return null;
        var best = rows.MaxBy(r => (TableFile.Number(r, "rung") ?? 0, TableFile.Number(r, "val_top1")!.Value))!;
        var t = Scatter("random genotypes", rows.Select(r => TableFile.Number(r, "macs")!.Value), rows.Select(r => TableFile.Number(r, "val_top1")), mode: "markers", color: Color(0));
        t["hovertext"] = new JsonArray(rows.Select(r => (JsonNode?)Text($"#{r.GetValueOrDefault("index")}: {r.GetValueOrDefault("genotype")}")).ToArray());
        t["hoverinfo"] = "text+y";
        var star = Scatter("best", [TableFile.Number(best, "macs")!.Value], [TableFile.Number(best, "val_top1")], mode: "markers", color: "#d62728");
        ((JsonObject)star["marker"]!)["symbol"] = "star-open";
        ((JsonObject)star["marker"]!)["size"] = 22;
        return Figure([t, star], Layout("MACs (log scale)", "held-out top-1 (%)", logX: true));
    }
}
