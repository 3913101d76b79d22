using Research.Experiments.Pipeline;

namespace Research.Experiments.Stages;

/// <summary>
/// stages.ablation: width vs depth vs resolution vs compound scaling at matched MACs
/// (<see cref="ScalingAblation.Run"/>, EfficientNet's Table 3). Writes ablation.csv and summary.txt.
/// </summary>
public static class AblationStage
{
    public static void Run(StageContext ctx)
    {
        var a = ctx.Config.Stages.Ablation!;
        var baseSpec = ctx.ResolveModel(a.Base!);
        var ablation = a.Search;
        if (a.CoefficientsFromGrid)
        {
            var c = StageContext.ReadGridBest(ctx.Layout.GridBest);
            ablation = ablation with { Alpha = c.Alpha, Beta = c.Beta, Gamma = c.Gamma };
        }
        var data = ctx.LoadData(a.Subset);
        var grid = a.Search.Grid.On(ctx.Dataset);
        ctx.Log.WriteLine($"ablation: base {baseSpec.Name}, compound {ablation.Coefficients}, targets {string.Join(", ", ablation.Targets)}x MACs");
        var r = ScalingAblation.Run(baseSpec, data, ctx.Dataset.Name, ablation, grid, ctx.Layout.AblationDir, ctx.Log, ctx.Device, ctx.World);
        foreach (var line in r.Summary) ctx.Log.WriteLine($"ablation: {line}");
    }
}
