using System.Text;

namespace Research.Experiments.Reports;

public static class Human
{
    /// <summary>5288548 → 5.29M, 385800000 → 385.8M, 1.02e9 → 1.02G, 12345 → 12.3K.</summary>
    public static string Count(double n)
    {
        string Scaled(double v, string unit) => (v >= 100 ? v.ToString("0.#", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture)) + unit;
        double a = Math.Abs(n);
        if (a >= 1e9) return Scaled(n / 1e9, "G");
        if (a >= 1e6) return Scaled(n / 1e6, "M");
        if (a >= 1e3) return Scaled(n / 1e3, "K");
        return n.ToString("0.##", CultureInfo.InvariantCulture);
    }

    public static string Num(double? v, string format = "0.##") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "";

    /// <summary>An arm's mean with the half-width of its interval when it has one: "78.12 ± 0.45", else "78.12".</summary>
    public static string MeanInterval(double? mean, SeedSummary? interval, string format = "0.00") =>
        mean is null ? "" : interval is { HasInterval: true } s ? $"{Num(mean, format)} ± {Num(s.HalfWidth, format)}" : Num(mean, format);

    /// <summary>What the ± means, for a table's footnote.</summary>
    public static string IntervalNote(RunReport r) =>
        $"mean ± half-width of the 95% confidence interval (Student's t) over up to {r.MaxSeeds} seeds per model; each seed's row is in train/family.csv.";
}

/// <summary>summary.md: what was run, the searched cell, the coefficients, the family table with baselines, the plot, the ablation.</summary>
public static class MarkdownReport
{
    public static string Render(RunReport r)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Escape(r.Title ?? r.Name)).AppendLine();
        if (r.Description is { } d) sb.AppendLine(d.Trim()).AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        sb.Append("| experiment | ").Append(Escape(r.Name)).AppendLine(" |");
        sb.Append("| run directory | `").Append(Path.GetFileName(Path.GetFullPath(r.RunDir).TrimEnd(Path.DirectorySeparatorChar))).AppendLine("` |");
        if (r.Dataset is { } ds) sb.Append("| dataset | ").Append(ds).AppendLine(" |");
        sb.Append("| seed | ").Append(r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "").AppendLine(" |");
        sb.Append("| device | ").Append(r.Device ?? "").AppendLine(" |");
        if (r.Libtorch is { } lt) sb.Append("| libtorch | ").Append(lt).AppendLine(" |");
        if (r.GitCommit is { } gc) sb.Append("| git commit | `").Append(gc).AppendLine("` |");
        var stages = r.Stages.Where(s => s.Stage != "report").ToList();
        if (stages.Count > 0)
            sb.Append("| stages | ").Append(string.Join(", ", stages.Select(s =>
                $"{s.Stage} {s.Status}{(s.Seconds is { } sec ? $" ({sec.ToString("0.#", CultureInfo.InvariantCulture)} s)" : "")}"))).AppendLine(" |");
        sb.AppendLine();
        if (r.SmokeTestNote is { } note) sb.Append("**").Append(note).AppendLine("**").AppendLine();

        if (r.Genotype is { } g)
        {
            sb.AppendLine("## Searched cell (DARTS)").AppendLine();
            sb.AppendLine("```").AppendLine(g).AppendLine("```").AppendLine();
        }

        if (r.Grid is { } w)
        {
            sb.AppendLine("## Compound-scaling coefficients").AppendLine();
            var line = string.Create(CultureInfo.InvariantCulture,
                $"Grid search winner: α = {w.Alpha:0.###}, β = {w.Beta:0.###}, γ = {w.Gamma:0.###} (α·β²·γ² = {w.Constraint:0.###})");
            if (w.Accuracy is { } acc) line += string.Create(CultureInfo.InvariantCulture, $", held-out top-1 {acc:0.##}% over {w.Seeds} seed(s)");
            sb.AppendLine(line + ".");
            if (w.Verdict is { } v) sb.AppendLine().Append("Against the runner-up: ").Append(Escape(v)).AppendLine(".");
            sb.AppendLine();
        }

        if (r.Scaling is { } s)
        {
            string? S(string k) => s[k]?.ToString();
            sb.AppendLine("## Scaling").AppendLine();
            if (S("mode") == "table")
                sb.AppendLine($"Base `{S("base")}` scaled by the `{S("table")}` table (φ = {string.Join(", ", (s["phi"]?.AsArray() ?? []).Select(p => p?.ToString()))})" +
                              (S("alpha") is null ? "." : $"; scale.csv's formula columns show what α = {S("alpha")}, β = {S("beta")}, γ = {S("gamma")} would give."));
            else
                sb.AppendLine($"Base `{S("base")}` scaled by d = α^φ, w = β^φ, r = γ^φ with α = {S("alpha")}, β = {S("beta")}, γ = {S("gamma")} ({S("source")}).");
            sb.AppendLine();
        }

        if (r.Rows.Count > 0)
        {
            sb.AppendLine("## Family").AppendLine();
            bool val = r.Rows.Any(x => x.ValTop1 is not null), test = r.Rows.Any(x => x.TestTop1 is not null);
            var headers = new List<string> { "model", "kind", "φ", "params", "MACs", "resolution" };
            if (val) headers.Add("held-out top-1 (%)");
            if (test) headers.Add("test top-1 (%)");
            bool seeds = r.MaxSeeds > 1;
            if (seeds) headers.Insert(2, "seeds");
            if (r.Trained) headers.AddRange(["images/s", "train s"]);
            if (r.LatencyTable is not null) headers.Add("predicted latency (ms)");
            sb.Append("| ").Append(string.Join(" | ", headers)).AppendLine(" |");
            sb.Append('|').Append(string.Concat(headers.Select((_, i) => i < 2 ? "---|" : "---:|"))).AppendLine();
            foreach (var x in r.Rows.OrderBy(x => x.Kind == "baseline").ThenBy(x => x.Kind == "baseline" ? x.Macs : 0))
            {
                var cells = new List<string>
                {
                    $"`{x.Name}`", x.Kind, Human.Num(x.Phi), $"{Human.Count(x.Params)} ({x.Params.ToString("N0", CultureInfo.InvariantCulture)})", Human.Count(x.Macs),
                    x.Resolution.ToString(CultureInfo.InvariantCulture),
                };
                if (seeds) cells.Insert(2, x.SeedCount.ToString(CultureInfo.InvariantCulture));
                if (val) cells.Add(Human.MeanInterval(x.ValTop1, x.ValInterval));
                if (test) cells.Add(Human.MeanInterval(x.TestTop1, x.TestInterval));
                if (r.Trained) cells.AddRange([Human.Num(x.ImagesPerSecond, "0.0"), Human.Num(x.Seconds, "0.0")]);
                if (r.LatencyTable is not null) cells.Add(Human.Num(x.PredictedLatencyMs, "0.000"));
                sb.Append("| ").Append(string.Join(" | ", cells)).AppendLine(" |");
            }
            sb.AppendLine();
            if (seeds) sb.AppendLine(Human.IntervalNote(r)).AppendLine();
            if (!r.Trained) sb.AppendLine("Costs only: nothing was trained (no train stage).").AppendLine();
            if (r.LatencyTable is { } table)
                sb.AppendLine($"Predicted latency: the sum of the parts' entries in `{Path.GetFileName(table.Source)}` ({table.Engine} {table.Machine.GetValueOrDefault("engine_version")}, " +
                              $"batch {table.Batch}, {table.Threads} thread(s), {Escape(table.Machine.GetValueOrDefault("cpu") ?? "?")}).").AppendLine();
            sb.AppendLine($"![{(r.Trained ? "accuracy against MACs" : "parameters against MACs")}](plot.svg)").AppendLine();
        }

        if (r.Groups.Count > 0) Groups(sb, r);
        if (r.Comparisons.Count > 0) Comparisons(sb, r);

        if (r.Ablation.Count > 0)
        {
            sb.AppendLine("## Scaling ablation (matched MACs)").AppendLine();
            sb.AppendLine("| mode | target MACs | depth | width | resolution | params | MACs | top-1 (%) |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var a in r.Ablation)
            {
                string Cell(string k) => a.TryGetValue(k, out var v) ? v : "";
                double Number(string k) => double.TryParse(Cell(k), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
                sb.AppendLine($"| {Cell("mode")} | ×{Human.Num(Number("target_ratio"))} | {Human.Num(Number("depth_mult"), "0.###")} | {Human.Num(Number("width_mult"), "0.###")} | " +
                              $"{Cell("resolution")} | {Human.Count(Number("params"))} | {Human.Count(Number("macs"))} | {Human.Num(Number("acc_mean"), "0.00")} |");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>The groups: each a method whose replicates are its arms, summarised over the arms' means.</summary>
    private static void Groups(StringBuilder sb, RunReport r)
    {
        sb.AppendLine("## Groups").AppendLine();
        sb.AppendLine("Each group is one method whose replicates are its arms: each arm's accuracy (test top-1, else held-out) is first averaged over " +
                      "its own seeds, and n, the mean ± 95% interval (Student's t) and the standard deviation are over those arm means; params and MACs are the arms' means.");
        sb.AppendLine();
        bool latency = r.LatencyTable is not null;
        sb.AppendLine("| group | arms | n | top-1 (%) | std | mean params | mean MACs |" + (latency ? " mean predicted latency (ms) |" : ""));
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|" + (latency ? "---:|" : ""));
        foreach (var g in r.Groups)
        {
            var x = g.Row;
            bool measured = x.SeedCount > 0;
            string arms = string.Join(", ", g.Arms.Select(a => $"`{Escape(a)}`" + (g.Missing.Contains(a) ? " (no accuracy)" : "")));
            sb.AppendLine($"| `{Escape(g.Name)}` | {arms} | {x.SeedCount.ToString(CultureInfo.InvariantCulture)} | {Human.MeanInterval(x.Accuracy, x.Interval)} | " +
                          $"{Human.Num(x.Interval is { HasInterval: true } i ? i.StdDev : null, "0.00")} | {(measured ? Human.Count(x.Params) : "")} | {(measured ? Human.Count(x.Macs) : "")} |" +
                          (latency ? $" {Human.Num(x.PredictedLatencyMs, "0.000")} |" : ""));
        }
        sb.AppendLine();
    }

    /// <summary>The named comparisons: a table of the tests, then each verdict in words.</summary>
    private static void Comparisons(StringBuilder sb, RunReport r)
    {
        sb.AppendLine("## Comparisons").AppendLine();
        sb.Append("Each pair's accuracies (test top-1, else held-out) over its seeds").Append(r.Groups.Count > 0 ? " (a group's: its arms' means)" : "")
            .Append(", by Welch's two-sided t-test at ").Append(Human.Num(r.Significance, "0.###"))
            .Append("; effect size Hedges' g; paired: the per-seed differences over the seeds both ran (same data order), mean ± 95% interval")
            .AppendLine(r.Groups.Count > 0 ? " (arms only: a group has no seeds to pair)." : ".");
        sb.AppendLine();
        sb.AppendLine("| A | B | A − B (points) | Welch t | df | p | Hedges' g | paired A − B | significant |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in r.Comparisons)
        {
            var w = c.Welch;
            string diff = w is not null ? Human.Num(w.Difference, "+0.00;-0.00;0.00")
                : c.RowA?.Accuracy is { } a && c.RowB?.Accuracy is { } b ? Human.Num(a - b, "+0.00;-0.00;0.00") : "";
            string paired = c.Paired is { } p ? $"{Human.MeanInterval(p.Differences.Mean, p.Differences)} ({p.Differences.Count} seeds, p = {Human.Num(p.PValue, "0.####")})" : "";
            sb.AppendLine($"| `{Escape(c.A)}` | `{Escape(c.B)}` | {diff} | {Human.Num(w?.T, "0.00")} | {Human.Num(w?.DegreesOfFreedom, "0.0")} | " +
                          $"{Human.Num(w?.PValue, "0.####")} | {Human.Num(double.IsNaN(c.HedgesG) ? null : c.HedgesG, "0.00")} | {paired} | " +
                          $"{(w is null ? "untested" : c.Significant ? "yes" : "no")} |");
        }
        sb.AppendLine();
        foreach (var c in r.Comparisons) sb.Append("- ").Append(Escape(c.Verdict)).AppendLine(".");
        sb.AppendLine();
    }

    private static string Escape(string s) => s.Replace("|", "\\|");
}
