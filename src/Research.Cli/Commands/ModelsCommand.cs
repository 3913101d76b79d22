using System.Text.Json;
using Research.Core.Csv;
using Research.Cli.Benchmarks;
using Research.Models.Cost;
using Research.Models.LatencyTables;
using Research.Models.Inference;
using Research.Models.Networks;
using Research.Models.Zoo;

namespace Research.Cli.Commands;

/// <summary>`research models list | show NAME | kinds`: the zoo, a model's stages with parameters and MACs, and the block kinds specs can name.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var models = new Command("models", "the model zoo");
        models.Subcommands.Add(List());
        models.Subcommands.Add(Show());
        models.Subcommands.Add(Kinds());
        return models;
    }

    private static Command Kinds()
    {
        var cmd = new Command("kinds", "the registered block kinds (built in and from --plugin): code, tokens, an example");
        cmd.SetAction(parse =>
        {
            var t = new TextTable("code", "tokens", "example", "description");
            foreach (var k in Models.Blocks.BlockKindRegistry.Default.Kinds)
            {
                var tokens = Models.Blocks.BlockTokenText.Tokens(k.Accepts).Prepend("r s c");
                t.Add(k.Code, string.Join(" ", tokens), k.Examples.FirstOrDefault() ?? "(from the genotype)", k.Description);
            }
            parse.InvocationConfiguration.Output.Write(t.ToString());
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command List()
    {
        var cmd = new Command("list", "registered models with parameters and MACs at 224x224, 1000 classes");
        cmd.SetAction(parse =>
        {
            var t = new TextTable("name", "params", "macs", "width_mult", "description");
            foreach (var e in ModelRegistry.Default.Entries)
            {
                var cost = CostModel.Estimate(ModelRegistry.Default.Create(e.Name));
                t.Add(e.Name, cost.Params, cost.Macs, e.HasWidthMultiplier ? "yes" : "no", e.Description);
            }
            parse.InvocationConfiguration.Output.Write(t.ToString());
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Show()
    {
        var name = new Argument<string>("model") { Description = "a registered name, a spec file (.yaml) or a genotype (.json)" };
        var format = CommonOptions.Format();
        var latencyBatch = new Option<int?>("--latency-batch") { Description = "also build the model and measure mean ms per inference forward (--engine) at this batch size" };
        var latencyTable = new Option<string?>("--latency-table")
        {
            Description = "a latency table of this machine (research bench latency-table): the latency it predicts against the one measured here, on its engine, threads and batch",
        };
        var run = new ModelRunOptions();
        var cmd = new Command("show", "a model's stage table, parameters and MACs") { name, format, latencyBatch, latencyTable };
        run.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            run.ApplyThreads(parse);
            var inferenceCfg = run.Inference.Bind(parse);
            var spec = ModelSource.ResolveFor(parse.GetValue(name)!, run.Overrides.Bind(parse), data: null);
            var cost = CostModel.Estimate(spec);
            var rows = new List<(string part, string blocks, int outC, int outRes, long parameters, long macs)>();
            void Part(string label, string prefix, string blocks)
            {
                var ls = cost.Layers.Where(l => l.Name == prefix || l.Name.StartsWith(prefix + ".", StringComparison.Ordinal)).ToList();
                if (ls.Count == 0) return;
                rows.Add((label, blocks, ls[^1].OutChannels, ls[^1].OutHeight, ls.Sum(l => l.Params), ls.Sum(l => l.Macs)));
            }
            Part("stem", "stem", spec.EffectiveStem.ToString());
            for (int s = 0; s < spec.Stages.Count; s++) Part($"stage{s + 1}", $"stages.{s}", string.Join(" ", spec.Stages[s]));
            Part("head_conv", "head_conv", spec.Head.ConvChannels > 0 ? $"1x1 conv {spec.Head.ConvChannels} {spec.Head.ConvActivation.ToString().ToLowerInvariant()}" : "");
            Part("hidden", "hidden", $"{(spec.Head.HiddenAsConv ? "1x1 conv" : "linear")} {spec.Head.HiddenFeatures}");
            Part("classifier", "classifier", $"dropout {spec.Head.Dropout}, linear {spec.Classes}");
            Part("auxiliary", "auxiliary", spec.Auxiliary is { } a ? $"training only: after cell {a.AfterCell}, loss weight {Numbers.RoundTrip(a.Weight)}" : "");
            double? latency = null;
            string? latencyEngine = null;
            if (parse.GetValue(latencyBatch) is { } lb)
            {
                if (lb < 1) throw new ArgumentException($"--latency-batch {lb}: must be at least 1");
                var dev = run.Execution.Bind(parse).ResolveDevice();
                using var net = Models.Networks.NetworkBuilder.Build(spec);
                net.to(dev);
                using var engine = InferenceEngine.Create(net, inferenceCfg, dev);
                latency = Latency.Measure(engine, lb, spec.InChannels, spec.Resolution, dev);
                latencyEngine = engine.Description;
            }
            (double Predicted, double Parts, double Measured, LatencyTable Table)? table = null;
            if (parse.GetValue(latencyTable) is { } tablePath) table = PredictAndMeasure(spec, LatencyTable.Load(tablePath), run.Execution.Bind(parse).ResolveDevice());
            switch (parse.GetValue(format))
            {
                case "json":
                    o.WriteLine(JsonSerializer.Serialize(new
                    {
                        name = spec.Name, resolution = spec.Resolution, in_channels = spec.InChannels, classes = spec.Classes,
                        small_input = spec.SmallInput, @params = cost.InferenceParams, params_with_auxiliary = cost.Params, macs = cost.Macs, latency_ms = latency, latency_batch = parse.GetValue(latencyBatch),
                        predicted_latency_ms = table?.Predicted, parts_latency_ms = table?.Parts, calibration = table?.Table.Calibration,
                        calibration_per_op = table?.Table.Factors.Ops, calibration_median = table?.Table.Factors.Median,
                        calibration_networks = table?.Table.Networks.Count, measured_latency_ms = table?.Measured,
                        latency_error = table is { } tj ? Math.Abs(tj.Predicted - tj.Measured) / tj.Measured : (double?)null,
                        latency_engine = latencyEngine,
                        parts = rows.Select(r => new { part = r.part, blocks = r.blocks, out_channels = r.outC, out_resolution = r.outRes, @params = r.parameters, macs = r.macs }),
                    }, new JsonSerializerOptions { WriteIndented = true }));
                    break;
                case "csv":
                    o.Write(CsvTable.ToText(["part", "blocks", "out_channels", "out_resolution", "params", "macs"], rows.Select(r => new[]
                    {
                        r.part, r.blocks, Numbers.Integer(r.outC), Numbers.Integer(r.outRes), Numbers.Integer(r.parameters), Numbers.Integer(r.macs),
                    })));
                    break;
                default:
                    o.WriteLine($"model {spec.Name}");
                    o.WriteLine($"input {spec.InChannels}x{spec.Resolution}x{spec.Resolution}{(spec.SmallInput ? " (small-input stem)" : "")}, classes {spec.Classes}");
                    var t = new TextTable("part", "out_ch", "out_res", "params", "macs", "blocks");
                    foreach (var r in rows) t.Add(r.part, r.outC, r.outRes, r.parameters, r.macs, r.blocks);
                    o.Write(t.ToString());
                    // As DARTS's train.py counts: an auxiliary head trains but is not part of the network.
                    o.WriteLine($"params {cost.InferenceParams}");
                    if (cost.Params != cost.InferenceParams) o.WriteLine($"params_with_auxiliary {cost.Params}");
                    o.WriteLine($"macs {cost.Macs}");
                    if (latency is { } ms)
                    {
                        o.WriteLine($"latency_engine {latencyEngine}");
                        o.WriteLine($"latency_ms {ms.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}");
                    }
                    if (table is { } tt)
                    {
                        o.WriteLine($"latency_table {tt.Table.Source} engine {tt.Table.Engine} batch {tt.Table.Batch} threads {tt.Table.Threads}");
                        o.WriteLine($"predicted_latency_ms {Numbers.Fixed(tt.Predicted, 4)}");
                        o.WriteLine($"parts_latency_ms {Numbers.Fixed(tt.Parts, 4)}");
                        o.WriteLine($"calibration {tt.Table.CalibrationText}");
                        o.WriteLine($"measured_latency_ms {Numbers.Fixed(tt.Measured, 4)}");
                        o.WriteLine($"latency_error {Numbers.Fixed(Math.Abs(tt.Predicted - tt.Measured) / tt.Measured, 4)}");
                    }
                    break;
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The table's prediction for the network and the network measured here the way the table was (engine, threads, batch,
    /// timing), calibrated and as the plain sum of parts. A table of another machine or engine is refused, naming the keys that differ; a missing entry names the part.
    /// </summary>
    private static (double Predicted, double Parts, double Measured, LatencyTable Table) PredictAndMeasure(Models.Specs.NetworkSpec spec, LatencyTable table, Torch.Device device)
    {
        var engine = LatencyEngines.Create(table.Engine, device, table.Threads);
        if (table.Threads >= 1) Torch.torch.set_num_threads(table.Threads);
        LatencyEngines.Here(engine, table.Threads, table.Batch, table);
        using var traced = TracedNetwork.Trace(spec);
        var timing = new LatencyTiming();
        double measured = timing.Interleaved([() => engine.MeasureNetwork(traced, table.Batch, timing)])[0];
        return (table.Predict(traced.Counts), table.PredictParts(traced.Counts), measured, table);
    }
}
