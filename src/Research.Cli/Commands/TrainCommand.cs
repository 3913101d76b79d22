using System.CommandLine;
using System.Globalization;
using Research.Models.Networks;
using Research.Training.Data;
using Research.Training.Training;
using Research.Training.Transforms;

namespace Research.Cli.Commands;

/// <summary>`research train`: trains a zoo model or a spec file on a dataset, with checkpoints and --resume.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a registered model (research models list) or a spec file (.yaml)", Required = true };
        var opts = new CommonOptions.ModelOptionSet();
        var dataset = CommonOptions.Dataset();
        var dataDir = CommonOptions.DataDir();
        var subset = CommonOptions.Subset();
        var epochs = new Option<int>("--epochs") { Description = "epochs", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (after warmup)", DefaultValueFactory = _ => 0.1 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (Nesterov momentum 0.9), rmsprop (EfficientNet's) or adamw", DefaultValueFactory = _ => "sgd" }
            .AcceptOnlyFromAmong("sgd", "rmsprop", "adamw");
        var weightDecay = new Option<double>("--weight-decay") { Description = "on conv/linear weights (not BN or biases)", DefaultValueFactory = _ => 5e-5 };
        var labelSmoothing = new Option<double>("--label-smoothing") { Description = "label smoothing", DefaultValueFactory = _ => 0.1 };
        var warmup = new Option<double>("--warmup-epochs") { Description = "linear warmup before the cosine decay", DefaultValueFactory = _ => 1 };
        var clip = new Option<double>("--clip") { Description = "global gradient-norm clip (0: off)", DefaultValueFactory = _ => 0 };
        var ema = new Option<double?>("--ema") { Description = "weight EMA decay, e.g. 0.999 (off by default); evaluation uses the averaged weights" };
        var cropPadding = new Option<int>("--crop-padding") { Description = "random-crop padding in pixels (0: off)", DefaultValueFactory = _ => 2 };
        var noFlip = new Option<bool>("--no-flip") { Description = "no random horizontal flips" };
        var cutout = new Option<double>("--cutout") { Description = "cutout probability per image (0: off)", DefaultValueFactory = _ => 0 };
        var noBf16 = new Option<bool>("--no-bf16") { Description = "no bf16 autocast on CUDA" };
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        var resume = CommonOptions.Resume();
        var cmd = new Command("train", "train a model on a dataset (checkpoint every epoch; --resume continues a killed run)")
        {
            model, dataset, dataDir, subset, epochs, batch, lr, optimizer, weightDecay, labelSmoothing, warmup, clip, ema, cropPadding, noFlip, cutout,
            noBf16, device, seed, threads, outDir, resume,
        };
        opts.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var dev = CommonOptions.ResolveDevice(parse.GetValue(device)!);
            string dsName = parse.GetValue(dataset)!;
            int s = (int)parse.GetValue(seed);
            var data = DatasetCatalog.Load(dsName, parse.GetValue(dataDir), parse.GetValue(subset), s);
            string modelName = parse.GetValue(model)!;
            var spec = ModelSource.Resolve(modelName,
                parse.GetValue(opts.Classes) ?? data.Train.Classes,
                parse.GetValue(opts.InChannels) ?? data.Train.Channels,
                parse.GetValue(opts.WidthMult),
                parse.GetValue(opts.Resolution) ?? data.Train.Height,
                parse.GetValue(opts.SmallInput) ? true : null);
            if (spec.Classes < data.Train.Classes)
                throw new ArgumentException($"--classes {spec.Classes}: {dsName} has {data.Train.Classes} classes");
            var cfg = new TrainConfig
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), Optimizer = parse.GetValue(optimizer)!, LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay), LabelSmoothing = parse.GetValue(labelSmoothing), WarmupEpochs = parse.GetValue(warmup),
                ClipNorm = parse.GetValue(clip), EmaDecay = parse.GetValue(ema), Bf16 = !parse.GetValue(noBf16), Seed = s,
                Augment = new AugmentConfig { CropPadding = parse.GetValue(cropPadding), HorizontalFlip = !parse.GetValue(noFlip), CutoutProbability = parse.GetValue(cutout) },
            };
            string dir = parse.GetValue(outDir) ?? Path.Combine("runs", "train", $"{Path.GetFileNameWithoutExtension(modelName)}-{dsName}-seed{s}");
            o.WriteLine($"model {spec.Name} params {Models.Cost.CostModel.Estimate(spec).Params} input {spec.InChannels}x{spec.Resolution}x{spec.Resolution}{(spec.SmallInput ? " small-input" : "")}");
            o.WriteLine($"dataset {dsName} train {data.Train.Count} test {data.Test.Count} device {dev} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {dir}");
            var result = TrainingProgressBar.Run(progress => Trainer.Run(spec, data, dsName, cfg,
                new TrainerOptions { OutDir = dir, Resume = parse.GetValue(resume), Device = dev, Log = o, Progress = progress }));
            string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
            o.WriteLine($"best_top1 {F(result.Best.ValTop1)} epoch {result.Best.Epoch}");
            o.WriteLine($"train_seconds {F(result.Seconds)}");
            o.WriteLine($"images_per_s {F(result.ImagesPerSecond)}");
            o.WriteLine($"final_top1 {F(result.Final.ValTop1)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
