using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Research.Models.Cost;
using Research.Models.Scaling;
using Research.Models.Specs;

namespace Research.Cli.Commands;

/// <summary>
/// `research scale`: grows a base network into a family, by a coefficient table (EfficientNet's
/// B0–B7 or a YAML file) or by the formula d = α^φ, w = β^φ, r = γ^φ, or both side by side.
/// </summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var baseOpt = new Option<string>("--base") { Description = "a registered model or a spec file (.yaml)", Required = true };
        var table = new Option<string?>("--table") { Description = "efficientnet (the official B0–B7) or a YAML table file" };
        var alpha = new Option<double?>("--alpha") { Description = "depth coefficient α (formula mode, with --beta and --gamma)" };
        var beta = new Option<double?>("--beta") { Description = "width coefficient β" };
        var gamma = new Option<double?>("--gamma") { Description = "resolution coefficient γ" };
        var phi = new Option<string>("--phi") { Description = "φ values: a range 0-7 or a list 0,1,2.5", DefaultValueFactory = _ => "0-7" };
        var divisor = new Option<int>("--resolution-divisor") { Description = "resolutions round to multiples of this", DefaultValueFactory = _ => 8 };
        var opts = new CommonOptions.ModelOptionSet();
        var format = CommonOptions.Format();
        var outDir = CommonOptions.Out();
        outDir.Description = "also write each member's spec as <name>.yaml and the rows as scale.csv here";
        var cmd = new Command("scale", "compound scaling: a base network grown into a family (params, MACs, spec per member)")
            { baseOpt, table, alpha, beta, gamma, phi, divisor, format, outDir };
        opts.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var baseSpec = opts.Resolve(parse, parse.GetValue(baseOpt)!);
            List<double> phis;
            try
            {
                phis = ScalingFamily.ParsePhis(parse.GetValue(phi)!);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--{e.Message}", e);
            }
            double? a = parse.GetValue(alpha), b = parse.GetValue(beta), g = parse.GetValue(gamma);
            bool formula = a is not null || b is not null || g is not null;
            if (formula && (a is null || b is null || g is null)) throw new ArgumentException("formula mode needs all of --alpha, --beta and --gamma");
            string? tableName = parse.GetValue(table);
            if (!formula && tableName is null) throw new ArgumentException("give --table efficientnet (or a table file), or --alpha, --beta and --gamma");
            int div = parse.GetValue(divisor);

            List<ScalingMember> members;
            if (tableName is not null)
            {
                var t = tableName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || tableName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                    ? ScalingTable.Load(tableName) : ScalingTable.Named(tableName);
                bool allDefault = parse.GetResult(phi) is null;
                members = t.Select(allDefault ? null : phis).Select(m => m with { Name = $"{baseSpec.Name}-{m.Name}" }).ToList();
            }
            else
            {
                members = phis.Select(p => CompoundScaler.Member(baseSpec, a!.Value, b!.Value, g!.Value, p, div)).ToList();
            }

            var rows = new List<Row>();
            long baseMacs = CostModel.Estimate(baseSpec).Macs;
            foreach (var m in members)
            {
                var spec = CompoundScaler.Scale(baseSpec, m);
                var cost = CostModel.Estimate(spec);
                Row row = new(spec.Name, m.Phi, m.DepthMultiplier, m.WidthMultiplier, m.Resolution, m.Dropout, cost.Params, cost.Macs, (double)cost.Macs / baseMacs, spec);
                if (formula)
                {
                    double c = CompoundScaler.Constraint(a!.Value, b!.Value, g!.Value);
                    row = row with { Predicted = Math.Pow(c, m.Phi) };
                    if (tableName is not null)
                    {
                        var f = CompoundScaler.Member(baseSpec, a.Value, b.Value, g.Value, m.Phi, div);
                        row = row with { FormulaDepth = f.DepthMultiplier, FormulaWidth = f.WidthMultiplier, FormulaResolution = f.Resolution };
                    }
                }
                rows.Add(row);
            }

            if (parse.GetValue(outDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                foreach (var r in rows) SpecYaml.Save(r.Spec, Path.Combine(dir, $"{r.Name}.yaml"));
                Training.Training.RunFiles.WriteAtomically(Path.Combine(dir, "scale.csv"), Csv(rows));
            }
            switch (parse.GetValue(format))
            {
                case "csv":
                    o.Write(Csv(rows));
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
                    if (formula && tableName is not null) headers.AddRange(["formula_depth", "formula_width", "formula_resolution"]);
                    var tt = new TextTable(headers.ToArray());
                    foreach (var r in rows)
                    {
                        var cells = new List<object> { r.Name, r.Phi, r.Depth, r.Width, r.Resolution, r.Dropout, r.Params, r.Macs, Math.Round(r.MacsRatio, 3) };
                        if (formula) cells.Add(Math.Round(r.Predicted!.Value, 3));
                        if (formula && tableName is not null) cells.AddRange([Math.Round(r.FormulaDepth!.Value, 3), Math.Round(r.FormulaWidth!.Value, 3), r.FormulaResolution!.Value]);
                        tt.Add(cells.ToArray());
                    }
                    o.Write(tt.ToString());
                    if (formula && tableName is not null)
                        o.WriteLine("note: the table's members are not α^φ, β^φ, γ^φ of these coefficients; the formula columns show what the formula would give.");
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private sealed record Row(string Name, double Phi, double Depth, double Width, int Resolution, double Dropout, long Params, long Macs, double MacsRatio,
        NetworkSpec Spec)
    {
        public double? Predicted { get; init; }
        public double? FormulaDepth { get; init; }
        public double? FormulaWidth { get; init; }
        public int? FormulaResolution { get; init; }
    }

    private static string Csv(List<Row> rows)
    {
        string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";
        var sb = new System.Text.StringBuilder("name,phi,depth_mult,width_mult,resolution,dropout,params,macs,macs_ratio,predicted_ratio,formula_depth,formula_width,formula_resolution\n");
        foreach (var r in rows)
            sb.Append(string.Join(",", r.Name, N(r.Phi), N(r.Depth), N(r.Width), r.Resolution.ToString(CultureInfo.InvariantCulture), N(r.Dropout),
                r.Params.ToString(CultureInfo.InvariantCulture), r.Macs.ToString(CultureInfo.InvariantCulture), N(r.MacsRatio), N(r.Predicted),
                N(r.FormulaDepth), N(r.FormulaWidth), r.FormulaResolution?.ToString(CultureInfo.InvariantCulture) ?? "")).Append('\n');
        return sb.ToString();
    }
}
