using Research.Core.Text;
using Research.Experiments.Pipeline;
using Research.Models.Specs;

namespace Research.Experiments.Stages;

/// <summary>
/// stages.grid: EfficientNet's (α, β, γ) search at φ = 1 (<see cref="GridSearch.Run"/>). Writes the
/// base it scaled (base.yaml), candidates.csv, one folder per candidate and seed (resumable), and
/// best.json, which the scale stage reads.
/// </summary>
public static class GridStage
{
    public static void Run(StageContext ctx)
    {
        var g = ctx.Config.Stages.Grid!;
        var baseSpec = ctx.ResolveModel(g.Base!);
        var data = ctx.LoadData(g.Subset);
        DurableFile.CreateDirectory(ctx.Layout.GridDir);
        if (ctx.IsMain) SpecYaml.Save(baseSpec, ctx.Layout.GridBase);
        var cfg = g.Search.On(ctx.Dataset) with
        {
            // The latency table is named relative to the experiment file.
            Screening = g.Search.Screening with { Latency = new() { Table = g.Search.Screening.Latency.Table is { } t ? ctx.Config.ResolvePath(t) : null } },
        };
        ctx.Log.WriteLine($"grid: base {baseSpec.Name} ({baseSpec.InChannels}x{baseSpec.Resolution}x{baseSpec.Resolution}, {baseSpec.Classes} classes)");
        var r = GridSearch.Run(baseSpec, data, ctx.Dataset.Name, cfg, ctx.Layout.GridDir, ctx.Log, ctx.Device, ctx.World);
        ctx.Log.WriteLine($"grid: best {r.Best.Coefficients} acc {Numbers.Fixed(r.Best.AccMean, 2)}");
        if (r.Comparison is { } c) ctx.Log.WriteLine($"grid: versus runner-up {r.RunnerUp!.Coefficients}: {c.Verdict}");
    }
}
