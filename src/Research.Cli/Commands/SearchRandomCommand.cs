using Research.Search.Baseline;

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
        var settings = new SettingOptions<RandomSearchConfig>(RandomSearchConfig.Settings);
        var cmd = new Command("random", "random-search baseline: train N genotypes sampled from a space and keep the best; writes random_baseline.csv and random_genotype.json");
        new CellSearchOptions().Define(cmd, settings, "random", (s, cfg, parse) =>
        {
            var o = parse.InvocationConfiguration.Output;
            cfg = cfg with { Recipe = cfg.Recipe with { Seed = s.Seed } };
            o.WriteLine($"space {s.Space.Name} count {cfg.Count} epochs {cfg.Epochs} dataset {s.DataConfig.Name} train {s.Data.Train.Count} device {s.Device} threads {Torch.torch.get_num_threads()}");
            o.WriteLine($"out {s.Dir}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            CellSearchOptions.RunRandom(s, cfg, o);
            o.WriteLine($"schedule {cfg.Schedule.Kind}");
            o.WriteLine($"wall_seconds {Numbers.Fixed(clock.Elapsed.TotalSeconds, 1)}");
        });
        return cmd;
    }
}
