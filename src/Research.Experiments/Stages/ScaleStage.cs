using System.Text.Json;
using Research.Experiments.Pipeline;

namespace Research.Experiments.Stages;

/// <summary>
/// stages.scale: the base grown into a family (<see cref="ScalingFamily"/>): by the formula with
/// (α, β, γ) given or from grid/best.json, or by a table. Writes each member's spec
/// (&lt;name&gt;.yaml, which the train stage reads), coefficients.json and scale.csv (params and MACs
/// per member, the same columns as `research scale`). Costs only: nothing is trained here.
/// </summary>
public static class ScaleStage
{
    public static void Run(StageContext ctx)
    {
        var s = ctx.Config.Stages.Scale!;
        var baseSpec = ctx.ResolveModel(s.Base!);
        var table = s.Family.LoadTable(ctx.Config.BaseDirectory);
        var fromGrid = s.CoefficientsFromGrid ? StageContext.ReadGridBest(ctx.Layout.GridBest) : (Search.Grid.Coefficients?)null;
        var c = fromGrid is { } k ? (k.Alpha, k.Beta, k.Gamma) : s.Family.Coefficients;
        var rows = ScalingFamily.Build(baseSpec, s.Family, c, ctx.Config.BaseDirectory);
        DurableFile.CreateDirectory(ctx.Layout.ScaleDir);
        DurableFile.WriteAllText(ctx.Layout.ScaleCoefficients, JsonSerializer.Serialize(new
        {
            @base = baseSpec.Name,
            mode = table is null ? "formula" : "table",
            table = table?.Name,
            alpha = c?.Alpha, beta = c?.Beta, gamma = c?.Gamma,
            constraint = c is { } v ? CompoundScaler.Constraint(v.Alpha, v.Beta, v.Gamma) : (double?)null,
            source = c is null ? null : s.CoefficientsFromGrid ? "grid" : "given",
            phi = rows.Select(r => r.Phi).ToArray(),
        }, new JsonSerializerOptions { WriteIndented = true }));
        // The specs, then scale.csv, the stage's marker, last.
        ScalingFamily.Save(rows, ctx.Layout.ScaleDir);
        foreach (var r in rows)
            ctx.Log.WriteLine($"scale: {r.Name} phi {r.Phi} depth {r.Depth:0.###} width {r.Width:0.###} resolution {r.Resolution} params {r.Params} macs {r.Macs}");
    }
}
