using Research.Models.Inference;
using Research.Models.Networks;
using Research.Training;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Cli.Commands;

/// <summary>
/// `research eval`: scores saved weights on a dataset's test images: top-1, top-5 and loss as
/// figure lines, and eval.json, per_class.csv and confusion.csv. A training run's model file is
/// scored exactly as the run scored it (its model.yaml, preprocess.json and evaluation batch), so
/// its final test top-1 comes out again to the last digit. Inference runs on the chosen engine
/// (`--engine`: batch norm folded into the convolutions, libtorch or ONNX Runtime); folding moves
/// logits by about 1e-6, so only an image whose two best classes are that close could count otherwise.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "the model (a registered name, spec or genotype); default: the run's model.yaml beside --weights" };
        var weights = new Option<string>("--weights") { Description = "weights: a run's model.safetensors, or .safetensors/.pth in our, torchvision's, timm's or the official names", Required = true };
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var data = new SettingOptions<DataConfig>(DataConfig.Settings, except: ["subset", "validation"]);
        var execution = new SettingOptions<ExecutionConfig>(ExecutionConfig.Settings, except: ExecutionConfig.InferenceExcept);
        var inference = new SettingOptions<InferenceConfig>(InferenceConfig.Settings);
        var batch = new Option<int?>("--batch") { Description = "evaluation batch (default: the run's, else 256)" };
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        outDir.Description = "where eval.json, per_class.csv and confusion.csv go (default: eval/ beside the weights)";
        var cmd = new Command("eval", "score weights on a dataset's test images: top-1, top-5, loss, per-class accuracy and the confusion matrix")
            { model, weights, batch, threads, outDir };
        foreach (var o in execution.Options.Concat(inference.Options).Concat(data.Options).Concat(overrides.Options)) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var device = execution.Bind(parse).ResolveDevice();
            var inferenceCfg = inference.Bind(parse);
            string weightsPath = parse.GetValue(weights)!;
            var run = RunFiles.Of(weightsPath);
            var recorded = run is null ? null : Preprocessing.Load(run.Preprocess);
            // The run's dataset unless another is named.
            var dataCfg = data.Bind(parse);
            if (recorded is not null && !data.WasGiven(parse, "name")) dataCfg = dataCfg with { Name = recorded.Dataset, DataDir = data.WasGiven(parse, "data_dir") ? dataCfg.DataDir : recorded.DataDir };
            var pair = dataCfg.Load(0, parse.InvocationConfiguration.Error);
            using var trained = TrainedModel.Open(parse.GetValue(model), weightsPath, overrides.Bind(parse), pair.Shape, device);
            var spec = trained.Spec;
            var pre = trained.Preprocessing ?? Preprocessing.For(pair, dataCfg, spec);
            if (pair.Test.Channels != pre.ImageChannels)
                throw new ArgumentException($"{dataCfg.Name} has {pair.Test.Channels}-channel images; the model was prepared for {pre.ImageChannels}");
            if (spec.Classes < pair.Test.Classes) throw new ArgumentException($"{spec.Name} has {spec.Classes} outputs; {dataCfg.Name} has {pair.Test.Classes} classes");
            int evalBatch = parse.GetValue(batch) ?? pre.EvalBatch;
            if (evalBatch < 1) throw new ArgumentException($"--batch {evalBatch}: must be >= 1");
            var loader = new DataLoader(pair.Test, evalBatch, shuffle: false, dropLast: false, device);
            var confusion = new long[pair.Test.Classes, spec.Classes];
            using var engine = InferenceEngine.Create(trained.Network, inferenceCfg, device);
            var result = Evaluation.Evaluate(engine, loader, pre.EvalTransform(), bf16: device.Type == DeviceType.CUDA, confusion);
            string dir = parse.GetValue(outDir) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, "eval");
            EvalReport.Write(dir, run, result, confusion, pre.ClassNames, spec.Name, weightsPath, dataCfg.Name, trained.Import.Naming);
            o.WriteLine($"model {spec.Name} weights {weightsPath} ({trained.Import.Naming} names) dataset {dataCfg.Name} test {result.Count}");
            o.WriteLine($"engine {engine.Description}");
            o.WriteLine($"top1 {Numbers.Fixed(result.Top1, 2)}");
            o.WriteLine($"top5 {Numbers.Fixed(result.Top5, 2)}");
            o.WriteLine($"loss {Numbers.Fixed(result.Loss, 4)}");
            o.WriteLine($"out {dir}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
