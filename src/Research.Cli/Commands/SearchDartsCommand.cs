using System.CommandLine;
using System.Globalization;
using Research.Search.Darts;
using Research.Training.Data;
using Research.Training.Training;

namespace Research.Cli.Commands;

/// <summary>`research search darts`: differentiable cell search over a space file; writes genotype.json, darts_epochs.csv and alphas.csv.</summary>
public static class SearchDartsCommand
{
    public static Command Create()
    {
        var common = new CommonOptions.CellSearchOptionSet();
        var epochs = new Option<int>("--epochs") { Description = "search epochs", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "batch size (each step: one training and one validation batch)", DefaultValueFactory = _ => 64 };
        var order = new Option<string>("--order") { Description = "first (weights fixed) or second (unrolled step, finite-difference Hessian)", DefaultValueFactory = _ => "first" }
            .AcceptOnlyFromAmong("first", "second");
        var partial = new Option<int>("--partial-channels") { Description = "PC-DARTS's K: 1/K of the channels go through the ops (1: off)", DefaultValueFactory = _ => 1 };
        var skipCap = new Option<int>("--skip-cap") { Description = "at most N skip connections in the normal cell (-1: no cap)", DefaultValueFactory = _ => 2 };
        var macs = new Option<double>("--macs-lambda") { Description = "λ of the penalty λ·E[MACs in millions] (hardware-aware search; 0: off)", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int>("--arch-warmup") { Description = "epochs of weight-only training before the architecture moves", DefaultValueFactory = _ => 0 };
        var archLr = new Option<double>("--arch-lr") { Description = "Adam learning rate of the architecture", DefaultValueFactory = _ => 3e-4 };
        var lr = new Option<double>("--lr") { Description = "weights' SGD learning rate (cosine to 0.001)", DefaultValueFactory = _ => 0.025 };
        var random = new Option<int>("--random-baseline") { Description = "also train N random genotypes from the space (same split) and keep the best", DefaultValueFactory = _ => 0 };
        var randomEpochs = new Option<int>("--random-epochs") { Description = "epochs each random genotype trains", DefaultValueFactory = _ => 1 };
        var resume = CommonOptions.Resume();
        var cmd = new Command("darts", "DARTS cell search (first/second order, PC-DARTS partial channels, skip cap, MACs penalty); writes genotype.json")
        {
            epochs, batch, order, partial, skipCap, macs, warmup, archLr, lr, random, randomEpochs, resume,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var (sp, dev, s) = common.Start(parse);
            var cfg = new DartsConfig
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), Order = parse.GetValue(order)!, PartialChannels = parse.GetValue(partial),
                SkipCap = parse.GetValue(skipCap) is var c && c >= 0 ? c : null, MacsLambda = parse.GetValue(macs), ArchWarmupEpochs = parse.GetValue(warmup),
                ArchLearningRate = parse.GetValue(archLr), WeightLearningRate = parse.GetValue(lr), WeightLearningRateMin = Math.Min(0.001, parse.GetValue(lr)), Seed = s,
                MemoryFormat = parse.GetValue(common.MemoryFormat)!,
            }.Validate();
            string dsName = parse.GetValue(common.Dataset)!;
            var data = common.LoadData(parse, s);
            string dir = common.OutDir(parse, "darts", sp.Name, s);
            o.WriteLine($"space {sp.Name} ops {sp.Ops.Count} nodes {sp.Nodes} edges {sp.Edges} supernet {sp.Supernet.Cells} cells C={sp.Supernet.Channels}");
            o.WriteLine($"dataset {dsName} train {data.Train.Count} (search split {cfg.TrainFraction:P0} weights / rest architecture) device {dev} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {dir}");
            var result = TrainingProgressBar.Run(progress => DartsSearch.Run(sp, data, dsName, cfg,
                new DartsOptions { OutDir = dir, Resume = parse.GetValue(resume), Device = dev, Log = o, Progress = progress }));
            string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
            o.WriteLine($"genotype {result.Genotype.Genotype}");
            o.WriteLine($"genotype_file {Path.Combine(dir, DartsSearch.GenotypeFileName)}");
            o.WriteLine($"search_seconds {F(result.Seconds)}");
            o.WriteLine($"peak_memory_mib {F(result.History.Max(h => h.PeakMemoryMiB))}");
            if (parse.GetValue(random) is > 0 and var n)
            {
                var recipe = cfg.WeightRecipe(parse.GetValue(randomEpochs));
                var r = TrainingProgressBar.Run(progress => RandomSearch.Run(sp, data, dsName, n, recipe, cfg.TrainFraction, s, dir,
                    new TrainerOptions { OutDir = dir, Device = dev, Progress = progress }, o));
                o.WriteLine($"random_best {r.Best.Index} val_top1 {r.Best.ValTop1.ToString("F2", CultureInfo.InvariantCulture)} genotype {r.Best.Genotype}");
                o.WriteLine($"random_genotype_file {Path.Combine(dir, RandomSearch.GenotypeFileName)}");
                o.WriteLine($"random_seconds {F(r.Seconds)}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
