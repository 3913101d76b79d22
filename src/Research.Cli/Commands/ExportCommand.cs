using Research.Models.Export;
using Research.Models.Networks;
using Research.Models.Weights;
using Research.Torch.IO;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>
/// `research export`: takes saved weights out. `--format onnx` writes an ONNX graph of the network
/// (batch norm folded, eval mode) that ONNX Runtime and other deployment runtimes read;
/// `--format safetensors --names torchvision` rewrites the weights under another library's tensor
/// names, so `torchvision.models.NAME(num_classes=K).load_state_dict(load_file(f), strict=True)` takes them.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "the model (a registered name, spec or genotype); default: the run's model.yaml beside --weights" };
        var weights = new Option<string>("--weights") { Description = "weights: a run's model.safetensors, or .safetensors/.pth in any naming the model's family has", Required = true };
        var format = new Option<string>("--format") { Description = "onnx, or safetensors (weights under --names)", Required = true }.AcceptOnlyFromAmong("onnx", "safetensors");
        var outFile = new Option<string>("--out") { Description = "the file to write", Required = true };
        var names = new Option<string>("--names") { Description = "tensor names for --format safetensors", DefaultValueFactory = _ => WeightNaming.Torchvision }
            .AcceptOnlyFromAmong(WeightNaming.All);
        var dynamicBatch = new Option<bool>("--dynamic-batch") { Description = "ONNX batch dimension left open (named 'batch')" };
        var batch = new Option<int>("--batch") { Description = "ONNX batch when not dynamic", DefaultValueFactory = _ => 1 };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset ({OnnxExportOptions.MinOpset}-{OnnxExportOptions.MaxOpset})", DefaultValueFactory = _ => new OnnxExportOptions().Opset };
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var cmd = new Command("export", "write weights as ONNX (batch norm folded) or as safetensors under torchvision's/timm's/official names")
            { model, weights, format, outFile, names, dynamicBatch, batch, opset };
        overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            string outPath = parse.GetValue(outFile)!;
            var modelOverrides = overrides.Bind(parse);
            // Checked before anything is loaded, so bad options write nothing. The model's --resolution (one option, the
            // model setting's) is also the ONNX input's, so a run's model can be exported at another size.
            var onnx = new OnnxExportOptions
            {
                Resolution = modelOverrides.Resolution ?? 224, DynamicBatch = parse.GetValue(dynamicBatch), Batch = parse.GetValue(batch), Opset = parse.GetValue(opset),
            };
            if (parse.GetValue(format) == "onnx") onnx.Validate();
            using var trained = TrainedModel.Open(parse.GetValue(model), parse.GetValue(weights)!, modelOverrides, data: null, Device.CPU);
            if (parse.GetValue(format) == "onnx")
            {
                onnx = onnx with { Resolution = modelOverrides.Resolution ?? trained.Spec.Resolution };
                OnnxExporter.Save(trained.Network, outPath, onnx.Validate());
                o.WriteLine($"onnx {outPath} opset {onnx.Opset} input {(onnx.DynamicBatch ? "batch" : onnx.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture))}x{trained.Spec.InChannels}x{onnx.Resolution}x{onnx.Resolution}");
                return ExitCodes.Ok;
            }
            var map = NameMaps.Default.For(trained.Network, parse.GetValue(names)!);
            var tensors = trained.Network.state_dict();
            try
            {
                SafeTensors.Save(outPath, map.Pairs.Select(p => new KeyValuePair<string, Tensor>(p.Theirs, tensors[p.Ours])),
                    new Dictionary<string, string> { ["model"] = trained.Spec.Name, ["names"] = map.Naming });
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
            o.WriteLine($"safetensors {outPath} names {map.Naming} tensors {map.Pairs.Count}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
