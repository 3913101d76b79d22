using Research.Core.Csv;
using Research.Core.IO;
using Research.Experiments.Reports;
using Research.Models.LatencyTables;

namespace Research.Cli.Commands;

/// <summary>
/// `research report RUN_DIR`: (re)writes summary.md and plot.svg from a run directory's files and prints the family table;
/// with --html, writes report.html instead (one self-contained page; any run directory, also a single command's).
/// (with several seeds: mean ± 95% interval per arm, per group of stages.report.groups over its arms' means, and the comparisons
/// stages.report.compare names, tested).
/// While another process writes the run (it holds the directory's lock), it only reads: the table of what is there so far.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("run-dir") { Description = "a run directory (runs/<name>-<hash>) holding manifest.json" };
        var format = CommonOptions.Format();
        var html = new Option<bool>("--html")
        {
            Description = "write report.html instead: the run's charts, cells and tables in one file that opens offline (also for a train or search command's --out folder)",
        };
        var outFile = new Option<string?>("--out")
        {
            Description = "with --html: where to write the page (default: report.html in the run directory, refused while a process writes the run)",
        };
        var latency = new SettingOptions<LatencyTableConfig>(LatencyTableConfig.Settings);
        var cmd = new Command("report", "write summary.md and plot.svg (accuracy against MACs) for a run, and print its family table; --html: report.html")
            { dir, format, html, outFile };
        latency.AddTo(cmd);
        var statistics = new SettingOptions<ReportSettings>(ReportSettings.Settings);
        statistics.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            // The run's own level unless the option is given.
            double? significance = statistics.WasGiven(parse, "significance") ? statistics.Bind(parse).Significance : null;
            var o = parse.InvocationConfiguration.Output;
            string runDir = parse.GetValue(dir)!;
            if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"{runDir}: no such run directory");
            if (parse.GetValue(html))
            {
                string written = Experiments.Reports.Html.HtmlReport.Write(runDir, parse.GetValue(outFile));
                o.WriteLine($"report_html {written}");
                o.WriteLine($"bytes {new FileInfo(written).Length}");
                return ExitCodes.Ok;
            }
            if (parse.GetValue(outFile) is not null) throw new ArgumentException("--out: only with --html (summary.md and plot.svg are written into the run directory)");
            using var held = RunDirectoryLock.TryAcquire(runDir, out var writer);
            var report = held is null ? RunReport.Read(runDir, latency.Bind(parse).Table, significance) : RunReport.Write(runDir, latency.Bind(parse).Table, significance);
            if (held is null)
                parse.InvocationConfiguration.Error.WriteLine($"note: {runDir} is being written by {writer}: summary.md and plot.svg are left as they are");
            switch (parse.GetValue(format))
            {
                case "csv":
                    o.Write(CsvTable.ToText(["kind", "name", "phi", "params", "macs", "resolution", "val_top1", "test_top1", "images_per_s", "seeds", "top1_ci95", "predicted_latency_ms"],
                        report.Rows.Select(r => new[]
                        {
                            r.Kind, r.Name, Human.Num(r.Phi, "R"), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.Integer(r.Resolution),
                            Human.Num(r.ValTop1, "R"), Human.Num(r.TestTop1, "R"), Human.Num(r.ImagesPerSecond, "0.0"), Numbers.Integer(r.SeedCount),
                            r.Interval is { HasInterval: true } i ? Numbers.RoundTrip(i.HalfWidth) : "", Numbers.RoundTrip(r.PredictedLatencyMs),
                        })));
                    break;
                case "json":
                    o.WriteLine(System.Text.Json.JsonSerializer.Serialize(report.Rows.Select(r => new
                    {
                        kind = r.Kind, name = r.Name, phi = r.Phi, @params = r.Params, macs = r.Macs, resolution = r.Resolution, val_top1 = r.ValTop1,
                        test_top1 = r.TestTop1, images_per_s = r.ImagesPerSecond, seeds = r.SeedCount,
                        top1_ci95 = r.Interval is { HasInterval: true } i ? i.HalfWidth : (double?)null, predicted_latency_ms = r.PredictedLatencyMs,
                    }), new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                    break;
                default:
                    o.WriteLine($"summary {Path.Combine(runDir, "summary.md")}");
                    o.WriteLine($"plot {Path.Combine(runDir, "plot.svg")}");
                    PrintTable(report, o);
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The family and baselines as an aligned table (accuracy columns only when something was trained; with several seeds,
    /// mean ± interval), the groups (over their arms' means), then the comparisons in words, or the note that one seed is a smoke test.
    /// </summary>
    public static void PrintTable(RunReport report, TextWriter o)
    {
        if (report.Rows.Count == 0)
        {
            o.WriteLine("(no family: the run has no scale or train output)");
            return;
        }
        bool val = report.Rows.Any(r => r.ValTop1 is not null);
        bool seeds = report.MaxSeeds > 1;
        var headers = new List<string> { "kind", "name", "phi", "params", "macs", "resolution" };
        if (seeds) headers.Add("seeds");
        if (val) headers.Add("val_top1");
        if (report.Trained) headers.AddRange(["test_top1", "images_per_s"]);
        if (report.LatencyTable is not null) headers.Add("predicted_ms");
        var t = new TextTable(headers.ToArray());
        foreach (var r in report.Rows)
        {
            var cells = new List<object> { r.Kind, r.Name, Human.Num(r.Phi), r.Params, r.Macs, r.Resolution };
            if (seeds) cells.Add(r.SeedCount);
            if (val) cells.Add(Human.MeanInterval(r.ValTop1, r.ValInterval));
            if (report.Trained) cells.AddRange([Human.MeanInterval(r.TestTop1, r.TestInterval), Human.Num(r.ImagesPerSecond, "0.0")]);
            if (report.LatencyTable is not null) cells.Add(Human.Num(r.PredictedLatencyMs, "0.000"));
            t.Add(cells.ToArray());
        }
        o.Write(t.ToString());
        if (seeds) o.WriteLine(Human.IntervalNote(report));
        foreach (var g in report.Groups)
            o.WriteLine($"group {g.Name} ({string.Join(", ", g.Arms)}): n = {g.Row.SeedCount} arm{(g.Row.SeedCount == 1 ? "" : "s")}, top-1 {Human.MeanInterval(g.Row.Accuracy, g.Row.Interval)} over the arms' means" +
                        (g.Missing.Count > 0 ? $"; no accuracy yet: {string.Join(", ", g.Missing)}" : ""));
        foreach (var c in report.Comparisons) o.WriteLine($"compare {c.A} vs {c.B}: {c.Verdict}");
        if (report.SmokeTestNote is { } note) o.WriteLine($"note: {note}");
    }
}
