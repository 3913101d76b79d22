using Research.Experiments.Pipeline;
using Research.Search.Ablation;
using Research.Search.Grid;

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
        var coefficients = ctx.ResolveCoefficients(a.Coefficients!);
        var data = ctx.LoadData(a.Subset);
        var cfg = new GridSearchConfig { Seeds = a.Seeds, ValidationFraction = ctx.Dataset.Validation, Train = a.Recipe.ToTrainConfig(a.Seeds[0]) };
        ctx.Log.WriteLine($"ablation: base {baseSpec.Name}, compound {coefficients}, targets {string.Join(", ", a.Targets)}x MACs");
        var r = ScalingAblation.Run(baseSpec, data, ctx.Dataset.Name, a.Targets, coefficients, cfg, ctx.Layout.AblationDir, ctx.Log, ctx.Device);
        foreach (var line in r.Summary) ctx.Log.WriteLine($"ablation: {line}");
    }
}
