using System.CommandLine;
using System.Text.Json;
using Research.Cli.Settings;
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
        var format = CommonOptions.Format();
        var outDir = CommonOptions.Out();
        outDir.Description = "also write each member's spec as <name>.yaml and the rows as scale.csv here";
        var cmd = new Command("scale", "compound scaling: a base network grown into a family (params, MACs, spec per member)") { baseOpt, format, outDir };
        family.AddTo(cmd);
        overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var baseSpec = ModelSource.ResolveFor(parse.GetValue(baseOpt)!, overrides.Bind(parse), data: null);
            var cfg = family.Bind(parse);
            var rows = ScalingFamily.Build(baseSpec, cfg);
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
                    }), new JsonSerializerOptions { WriteIndented = true }));
                    break;
                default:
                    var headers = new List<string> { "name", "phi", "depth_mult", "width_mult", "resolution", "dropout", "params", "macs", "macs_ratio" };
                    if (formula) headers.Add("predicted_ratio");
                    if (both) headers.AddRange(["formula_depth", "formula_width", "formula_resolution"]);
                    var table = new TextTable(headers.ToArray());
                    foreach (var r in rows)
                    {
                        var cells = new List<object> { r.Name, r.Phi, r.Depth, r.Width, r.Resolution, r.Dropout, r.Params, r.Macs, Math.Round(r.MacsRatio, 3) };
                        if (formula) cells.Add(Math.Round(r.Predicted!.Value, 3));
                        if (both) cells.AddRange([Math.Round(r.FormulaDepth!.Value, 3), Math.Round(r.FormulaWidth!.Value, 3), r.FormulaResolution!.Value]);
                        table.Add(cells.ToArray());
                    }
                    o.Write(table.ToString());
                    if (both)
                        o.WriteLine("note: the table's members are not α^φ, β^φ, γ^φ of these coefficients; the formula columns show what the formula would give.");
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
