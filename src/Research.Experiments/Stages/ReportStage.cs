using Research.Experiments.Pipeline;

namespace Research.Experiments.Stages;

/// <summary>stages.report: summary.md, plot.svg and report.html at the top of the run directory (also `research report RUN_DIR`).</summary>
public static class ReportStage
{
    public static void Run(StageContext ctx)
    {
        var table = ctx.Config.Stages.Report?.Latency.Table is { } t ? ctx.Config.ResolvePath(t) : null;
        var report = RunReport.Write(ctx.Layout.Dir, table);
        // This process is the run's writer: the page goes into the run directory.
        var html = Reports.Html.HtmlReport.Write(ctx.Layout.Dir, null, writer: true);
        ctx.Log.WriteLine($"report: {ctx.Layout.Summary}, {ctx.Layout.Plot}, {html} ({report.Rows.Count} rows)");
    }
}
