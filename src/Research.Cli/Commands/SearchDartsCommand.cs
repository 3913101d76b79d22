using Research.Search.Darts;

namespace Research.Cli.Commands;

/// <summary>`research search darts`: differentiable cell search over a space file; writes genotype.json, darts_epochs.csv and alphas.csv.</summary>
public static class SearchDartsCommand
{
    public static Command Create()
    {
        var settings = new SettingOptions<DartsRunConfig>(DartsRunConfig.Settings);
        var resume = CommonOptions.Resume();
        var cmd = new Command("darts", "DARTS cell search (first/second order, PC-DARTS partial channels, skip cap, MACs penalty); writes genotype.json") { resume };
        new CellSearchOptions().Define(cmd, settings, "darts", (s, run, parse) =>
        {
            var o = parse.InvocationConfiguration.Output;
            var cfg = run.Search.Seeded(s.Seed);
            var sp = s.Space;
            o.WriteLine($"space {sp.Name} ops {sp.Ops.Count} nodes {sp.Nodes} edges {sp.Edges} supernet {sp.Supernet.Cells} cells C={sp.Supernet.Channels}");
            o.WriteLine($"dataset {s.DataConfig.Name} train {s.Data.Train.Count} (search split {cfg.Recipe.TrainFraction:P0} weights / rest architecture) device {s.Device} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {s.Dir}");
            var result = TrainingProgressBar.Run(progress => DartsSearch.Run(sp, s.Data, s.DataConfig.Name, cfg,
                new DartsOptions { OutDir = s.Dir, Resume = parse.GetValue(resume), Device = s.Device, Log = o, Progress = progress, World = s.World }));
            o.WriteLine($"genotype {result.Genotype.Genotype}");
            o.WriteLine($"genotype_file {Path.Combine(s.Dir, DartsSearch.GenotypeFileName)}");
            o.WriteLine($"search_seconds {Numbers.Fixed(result.Seconds, 1)}");
            o.WriteLine($"peak_memory_mib {Numbers.Fixed(result.History.Max(h => h.PeakMemoryMiB), 1)}");
            if (run.RandomBaseline > 0) CellSearchOptions.RunRandom(s, run.RandomBaselineOf(cfg), o);
        });
        return cmd;
    }
}
