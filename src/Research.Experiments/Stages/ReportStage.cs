using Research.Experiments.Pipeline;
using Research.Experiments.Reports;

namespace Research.Experiments.Stages;

/// <summary>stages.report: summary.md and plot.svg at the top of the run directory (also `research report RUN_DIR`).</summary>
public static class ReportStage
{
    public static void Run(StageContext ctx)
    {
        var table = ctx.Config.Stages.Report?.Latency.Table is { } t ? ctx.Config.ResolvePath(t) : null;
        var report = RunReport.Write(ctx.Layout.Dir, table);
        ctx.Log.WriteLine($"report: {ctx.Layout.Summary}, {ctx.Layout.Plot} ({report.Rows.Count} rows)");
    }
}
