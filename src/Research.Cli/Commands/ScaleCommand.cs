using System.Text.Json;
using Research.Models.LatencyTables;
using Research.Models.Networks;
using Research.Models.Scaling;

namespace Research.Cli.Commands;

/// <summary>
/// `research scale`: grows a base network into a family, by a coefficient table (EfficientNet's
/// B0–B7 or a YAML file) or by the formula d = α^φ, w = β^φ, r = γ^φ, or both side by side
/// (<see cref="ScalingFamily"/>, which the experiment's scale stage calls too).
/// </summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var baseOpt = new Option<string>("--base") { Description = "a registered model, a spec file (.yaml) or a genotype (.json)", Required = true };
        var family = new SettingOptions<FamilyConfig>(FamilyConfig.Settings);
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var latency = new SettingOptions<LatencyTableConfig>(LatencyTableConfig.Settings);
        var format = CommonOptions.Format();
        var outDir = CommonOptions.Out();
        outDir.Description = "also write each member's spec as <name>.yaml and the rows as scale.csv here";
        var cmd = new Command("scale", "compound scaling: a base network grown into a family (params, MACs, spec per member)") { baseOpt, format, outDir };
        family.AddTo(cmd);
        overrides.AddTo(cmd);
        latency.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var baseSpec = ModelSource.ResolveFor(parse.GetValue(baseOpt)!, overrides.Bind(parse), data: null);
            var cfg = family.Bind(parse);
            var rows = ScalingFamily.Build(baseSpec, cfg);
            // Predicted before anything is written: a table that lacks a member's part is an error naming it.
            var latencyTable = latency.Bind(parse).Table is { } tablePath ? LatencyTable.Load(tablePath) : null;
            if (latencyTable is not null) rows = rows.Select(r => r with { PredictedLatencyMs = latencyTable.Predict(r.Spec) }).ToList();
            bool formula = cfg.Coefficients is not null, both = formula && cfg.Table is not null;

            if (parse.GetValue(outDir) is { } dir)
            {
                ScalingFamily.Save(rows, dir);
            }
            switch (parse.GetValue(format))
            {
                case "csv":
                    o.Write(ScalingFamily.Csv(rows));
                    break;
                case "json":
                    o.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                    {
                        name = r.Name, phi = r.Phi, depth_mult = r.Depth, width_mult = r.Width, resolution = r.Resolution, dropout = r.Dropout,
                        @params = r.Params, macs = r.Macs, macs_ratio = r.MacsRatio, predicted_ratio = r.Predicted,
                        formula_depth = r.FormulaDepth, formula_width = r.FormulaWidth, formula_resolution = r.FormulaResolution,
                        predicted_latency_ms = r.PredictedLatencyMs,
                    }), new JsonSerializerOptions { WriteIndented = true }));
                    break;
                default:
                    var headers = new List<string> { "name", "phi", "depth_mult", "width_mult", "resolution", "dropout", "params", "macs", "macs_ratio" };
                    if (formula) headers.Add("predicted_ratio");
                    if (both) headers.AddRange(["formula_depth", "formula_width", "formula_resolution"]);
                    if (latencyTable is not null) headers.Add("predicted_ms");
                    var table = new TextTable(headers.ToArray());
                    foreach (var r in rows)
                    {
                        var cells = new List<object> { r.Name, r.Phi, r.Depth, r.Width, r.Resolution, r.Dropout, r.Params, r.Macs, Math.Round(r.MacsRatio, 3) };
                        if (formula) cells.Add(Math.Round(r.Predicted!.Value, 3));
                        if (both) cells.AddRange([Math.Round(r.FormulaDepth!.Value, 3), Math.Round(r.FormulaWidth!.Value, 3), r.FormulaResolution!.Value]);
                        if (latencyTable is not null) cells.Add(Numbers.Fixed(r.PredictedLatencyMs!.Value, 3));
                        table.Add(cells.ToArray());
                    }
                    o.Write(table.ToString());
                    if (latencyTable is { } lt)
                        o.WriteLine($"predicted_ms: the sum of the parts' entries in {lt.Source} ({lt.Engine}, batch {lt.Batch}, {lt.Threads} thread(s))");
                    if (both)
                        o.WriteLine("note: the table's members are not α^φ, β^φ, γ^φ of these coefficients; the formula columns show what the formula would give.");
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
