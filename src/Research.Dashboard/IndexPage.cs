using System.Globalization;
using Research.Experiments.Reports.Html;

namespace Research.Dashboard;

/// <summary>The list of runs under the served folder: each with its kind, where it stands and when it last wrote, and boxes to compare some.</summary>
public static class IndexPage
{
    public static ReportModel Build(string root, IReadOnlyList<(RunEntry Entry, RenderedRun Run)> runs)
    {
        var table = new HtmlTable("runs-table", ["compare", "run", "kind", "status", "last file written"]);
        foreach (var (entry, run) in runs)
        {
            string name = entry.Relative.Length == 0 ? "(this folder)" : entry.Relative;
            var last = run.Snapshot.LastWrite;
            table.Add([
                new HtmlCell(name, Check: entry.Relative), new HtmlCell(name, Href: DashboardServer.RunPath(entry.Relative)), string.Join(" + ", entry.Kinds),
                run.Snapshot.State.Text,
                new HtmlCell(last?.ToString("u", CultureInfo.InvariantCulture) ?? "", last?.ToUnixTimeMilliseconds()),
            ], $"state-{run.Snapshot.State.State}");
        }
        string html = runs.Count == 0
            ? "<p class=\"missing\">No runs here yet: a run directory holds manifest.json (research run), or history.csv, genotype.json, candidates.csv or random_baseline.csv (research train / search).</p>"
            : "<form method=\"get\" action=\"/compare\">" + table.ToHtml() + "<p><button type=\"submit\">compare the runs ticked</button></p></form>";
        var sections = new List<ReportSection> { new("runs", "Runs", [ReportBlock.Fragment("runs", null, html, "the list follows the folder: new runs and their status appear as they are written")]) };
        string subtitle = string.Create(CultureInfo.InvariantCulture, $"{runs.Count} run(s) under {root}");
        return new ReportModel("research serve", subtitle, null, [], sections);
    }
}
