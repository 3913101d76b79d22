using System.Text.Json;
using Research.Experiments.Pipeline;
using Research.Experiments.Runs;
using Research.Models.Scaling;
using Research.Models.Specs;
using Research.Training.Training;

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
        ScalingTable? table = s.Table switch
        {
            null => null,
            "efficientnet" => ScalingTable.EfficientNet,
            var file => ScalingTable.Load(ctx.Config.ResolvePath(file)),
        };
        var c = s.Coefficients is { } cr ? ctx.ResolveCoefficients(cr) : (Search.Grid.Coefficients?)null;
        var rows = ScalingFamily.Build(baseSpec, table, c is { } k ? (k.Alpha, k.Beta, k.Gamma) : null, s.Phi, s.ResolutionDivisor);
        Directory.CreateDirectory(ctx.Layout.ScaleDir);
        foreach (var r in rows) SpecYaml.Save(r.Spec, MemberSpecPath(ctx.Layout, r.Name));
        RunFiles.WriteAtomically(ctx.Layout.ScaleCoefficients, JsonSerializer.Serialize(new
        {
            @base = baseSpec.Name,
            mode = table is null ? "formula" : "table",
            table = table?.Name,
            alpha = c?.Alpha, beta = c?.Beta, gamma = c?.Gamma,
            constraint = c?.Constraint,
            source = s.Coefficients is null ? null : s.Coefficients.From ?? "given",
            phi = rows.Select(r => r.Phi).ToArray(),
        }, new JsonSerializerOptions { WriteIndented = true }));
        RunFiles.WriteAtomically(ctx.Layout.ScaleCsv, ScalingFamily.Csv(rows));
        foreach (var r in rows)
            ctx.Log.WriteLine($"scale: {r.Name} phi {r.Phi} depth {r.Depth:0.###} width {r.Width:0.###} resolution {r.Resolution} params {r.Params} macs {r.Macs}");
    }

    /// <summary>scale/&lt;name&gt;.yaml, with characters a file name should not hold replaced by '_'.</summary>
    public static string MemberSpecPath(RunLayout layout, string name) => Path.Combine(layout.ScaleDir, SafeName(name) + ".yaml");

    public static string SafeName(string name) =>
        new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '_').ToArray());
}
