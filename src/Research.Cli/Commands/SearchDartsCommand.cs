using System.CommandLine;
using Research.Cli.Distributed;
using Research.Cli.Settings;
using Research.Core.Text;
using Research.Search.Darts;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>`research search darts`: differentiable cell search over a space file; writes genotype.json, darts_epochs.csv and alphas.csv.</summary>
public static class SearchDartsCommand
{
    public static Command Create()
    {
        var common = new CellSearchOptions();
        var settings = new SettingOptions<DartsRunConfig>(DartsRunConfig.Settings);
        var resume = CommonOptions.Resume();
        var cmd = new Command("darts", "DARTS cell search (first/second order, PC-DARTS partial channels, skip cap, MACs penalty); writes genotype.json") { resume };
        common.AddTo(cmd);
        settings.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var run = settings.Bind(parse);
            var (sp, dataCfg, data, dev, seed) = common.Start(parse, out var execution);
            using var world = CommandWorld.Join(execution, dev, o);
            var cfg = run.Search with { Seed = seed };
            string dir = common.OutDir(parse, "darts", sp.Name, dataCfg.Name, seed);
            o.WriteLine($"space {sp.Name} ops {sp.Ops.Count} nodes {sp.Nodes} edges {sp.Edges} supernet {sp.Supernet.Cells} cells C={sp.Supernet.Channels}");
            o.WriteLine($"dataset {dataCfg.Name} train {data.Train.Count} (search split {cfg.TrainFraction:P0} weights / rest architecture) device {dev} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {dir}");
            var result = TrainingProgressBar.Run(progress => DartsSearch.Run(sp, data, dataCfg.Name, cfg,
                new DartsOptions { OutDir = dir, Resume = parse.GetValue(resume), Device = dev, Log = o, Progress = progress, World = world }));
            o.WriteLine($"genotype {result.Genotype.Genotype}");
            o.WriteLine($"genotype_file {Path.Combine(dir, DartsSearch.GenotypeFileName)}");
            o.WriteLine($"search_seconds {Numbers.Fixed(result.Seconds, 1)}");
            o.WriteLine($"peak_memory_mib {Numbers.Fixed(result.History.Max(h => h.PeakMemoryMiB), 1)}");
            if (run.RandomBaseline > 0)
            {
                var recipe = cfg.WeightRecipe(run.RandomEpochs);
                var r = TrainingProgressBar.Run(progress => RandomSearch.Run(sp, data, dataCfg.Name, run.RandomBaseline, recipe, cfg.TrainFraction, seed, dir,
                    new TrainerOptions { OutDir = dir, Device = dev, Progress = progress }, o, world: world));
                o.WriteLine($"random_best {r.Best.Index} val_top1 {Numbers.Fixed(r.Best.ValTop1, 2)} genotype {r.Best.Genotype}");
                o.WriteLine($"random_genotype_file {Path.Combine(dir, RandomSearch.GenotypeFileName)}");
                o.WriteLine($"random_seconds {Numbers.Fixed(r.Seconds, 1)}");
            }
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
