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
        var recipe = new CommonOptions.RecipeOptionSet();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        var resume = CommonOptions.Resume();
        var cmd = new Command("train", "train a model on a dataset (checkpoint every epoch; --resume continues a killed run)")
        {
            model, dataset, dataDir, subset, device, seed, threads, outDir, resume,
        };
        opts.AddTo(cmd);
        recipe.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var dev = CommonOptions.ResolveDevice(parse.GetValue(device)!);
            string dsName = parse.GetValue(dataset)!;
            int s = (int)parse.GetValue(seed);
            var data = DatasetCatalog.Load(dsName, parse.GetValue(dataDir), parse.GetValue(subset), s);
            string modelName = parse.GetValue(model)!;
            var spec = opts.ResolveFor(parse, modelName, data.Train);
            var cfg = recipe.Resolve(parse, s);
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
