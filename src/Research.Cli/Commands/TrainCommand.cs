using Research.Cli.Distributed;
using Research.Models.Networks;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>`research train`: trains a zoo model, a spec file or a genotype on a dataset, with checkpoints and --resume.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a registered model (research models list), a spec file (.yaml) or a genotype (.json)", Required = true };
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var data = new SettingOptions<DataConfig>(DataConfig.Settings, except: "validation");
        var recipe = new SettingOptions<TrainConfig>(TrainConfig.Settings);
        var execution = new SettingOptions<ExecutionConfig>(ExecutionConfig.Settings);
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        var resume = CommonOptions.Resume();
        var cmd = new Command("train", "train a model on a dataset (checkpoint every epoch; --resume continues a killed run)") { model, threads, outDir, resume };
        foreach (var options in new[] { execution.Options, data.Options, overrides.Options, recipe.Options })
            foreach (var option in options) cmd.Options.Add(option);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            using var exec = ExecutionStart.Begin(parse, execution, threads);
            var (run, dev) = (exec.Run, exec.Device);
            var dataCfg = data.Bind(parse);
            var cfg = recipe.Bind(parse) with { Seed = run.Seed };
            var pair = dataCfg.Load(run.Seed, parse.InvocationConfiguration.Error);
            using var world = CommandWorld.Join(run, dev, o);
            string modelName = parse.GetValue(model)!;
            var spec = ModelSource.ResolveFor(modelName, overrides.Bind(parse), pair.Shape);
            string dir = parse.GetValue(outDir) ?? Path.Combine("runs", "train", $"{Path.GetFileNameWithoutExtension(modelName)}-{dataCfg.Name}-seed{run.Seed}");
            o.WriteLine($"model {spec.Name} params {Models.Cost.CostModel.Estimate(spec).Params} input {spec.InChannels}x{spec.Resolution}x{spec.Resolution}{(spec.SmallInput ? " small-input" : "")}");
            o.WriteLine($"dataset {dataCfg.Name} train {pair.Train.Count} test {pair.Test.Count} device {dev} threads {Torch.torch.get_num_threads()}" +
                (pair.Train.Streamed ? " streamed" : "") +
                (world is null ? "" : $" ranks {world.WorldSize} batch_per_rank {cfg.BatchSize / world.WorldSize}"));
            o.WriteLine($"out {dir}");
            var result = TrainingProgressBar.Run(progress => Trainer.Run(spec, pair, dataCfg.Name, cfg,
                new TrainerOptions { OutDir = dir, Resume = parse.GetValue(resume), Device = dev, Log = o, Progress = progress, DataDir = dataCfg.DataDir, World = world }));
            o.WriteLine($"best_top1 {Numbers.Fixed(result.Best.ValTop1, 2)} epoch {result.Best.Epoch}");
            o.WriteLine($"train_seconds {Numbers.Fixed(result.Seconds, 2)}");
            o.WriteLine($"images_per_s {Numbers.Fixed(result.ImagesPerSecond, 2)}");
            o.WriteLine($"final_top1 {Numbers.Fixed(result.Final.ValTop1, 2)}");
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
