using System.CommandLine;
using Research.Cli.Distributed;
using Research.Cli.Settings;
using Research.Core.Text;
using Research.Search.Darts;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>
/// `research search random`: the baseline a cell search must beat, on its own so it can run with its
/// own time budget (e.g. the DARTS search's wall time) beside or after the search. Candidates are
/// sampled from the space, trained on the same seeded split as `search darts` with the same weight
/// recipe, and the best by held-out accuracy is written as random_genotype.json.
/// </summary>
public static class SearchRandomCommand
{
    public static Command Create()
    {
        var common = new CellSearchOptions();
        var settings = new SettingOptions<RandomSearchConfig>(RandomSearchConfig.Settings);
        var cmd = new Command("random", "random-search baseline: train N genotypes sampled from a space and keep the best; writes random_baseline.csv and random_genotype.json");
        common.AddTo(cmd);
        settings.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var cfg = settings.Bind(parse);
            var (sp, dataCfg, data, dev, seed) = common.Start(parse, out var execution);
            using var world = CommandWorld.Join(execution, dev, o);
            var recipe = (cfg.Recipe with { Seed = seed }).Validate();
            string dir = common.OutDir(parse, "random", sp.Name, dataCfg.Name, seed);
            o.WriteLine($"space {sp.Name} count {cfg.Count} epochs {recipe.Epochs} dataset {dataCfg.Name} train {data.Train.Count} device {dev} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {dir}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = TrainingProgressBar.Run(progress => RandomSearch.Run(sp, data, dataCfg.Name, cfg.Count, recipe, cfg.Search.TrainFraction, seed, dir,
                new TrainerOptions { OutDir = dir, Device = dev, Progress = progress }, o, cfg.BudgetMinutes * 60, world, cfg.Schedule, cfg.Screening));
            o.WriteLine($"random_candidates {r.Candidates.Count}");
            if (cfg.Screening.Active) o.WriteLine($"screened_csv {Path.Combine(dir, Search.Screening.CandidateScreen.FileName)}");
            o.WriteLine($"random_best {r.Best.Index} val_top1 {Numbers.Fixed(r.Best.ValTop1, 2)} genotype {r.Best.Genotype}");
            o.WriteLine($"random_genotype_file {Path.Combine(dir, RandomSearch.GenotypeFileName)}");
            o.WriteLine($"random_seconds {Numbers.Fixed(r.Seconds, 1)}");
            o.WriteLine($"schedule {cfg.Schedule.Kind}");
            o.WriteLine($"wall_seconds {Numbers.Fixed(clock.Elapsed.TotalSeconds, 1)}");
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
