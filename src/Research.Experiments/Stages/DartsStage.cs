using Research.Core.Text;
using Research.Experiments.Config;
using Research.Experiments.Pipeline;
using Research.Torch;
using Research.Torch.Distributed;

namespace Research.Experiments.Stages;

/// <summary>
/// The DARTS cell search (stages.darts) with the same settings as `research search darts`
/// (<see cref="DartsRunConfig"/>), random baseline included; from_run imports an earlier search's
/// folder. Resumable from its checkpoint; it must leave darts/genotype.json. With <c>seeds</c> each
/// seed searches in darts/seed&lt;S&gt;/ and the cell of the seed whose supernet scored best on the
/// search's held-out part (the last epoch's val_acc) is taken (<see cref="SeedSelection"/>).
/// </summary>
public static class DartsStage
{
    public static void Run(StageContext ctx)
    {
        var cfg = ctx.Config.Stages.Darts!;
        var data = ctx.LoadData(cfg.Subset);
        string? spaceFile = cfg.Space is { } s && File.Exists(ctx.Config.ResolvePath(s)) ? ctx.Config.ResolvePath(s) : null;
        DurableFile.CreateDirectory(ctx.Layout.DartsDir);
        // The latency table is named relative to the experiment file.
        if (cfg.Search.Search.Latency.Table is { } table)
            cfg = cfg with { Search = cfg.Search with { Search = cfg.Search.Search with { Latency = new() { Table = ctx.Config.ResolvePath(table) } } } };
        if (cfg.Seeds is { } seeds)
            SeedSelection.Run("darts", ctx.Layout.DartsDir, DartsSearch.GenotypeFileName, seeds, (seed, dir) =>
            {
                var r = RunSearch(cfg, spaceFile, data, ctx.Dataset.Name, seed, ctx.Device, dir, ctx.Log, ctx.World);
                return new SeedOutcome(seed, r.History.Count > 0 ? r.History[^1].ValAccuracy : double.NaN, r.Genotype.Genotype.ToString());
            }, ctx.Log, ctx.IsMain);
        else RunSearch(cfg, spaceFile, data, ctx.Dataset.Name, ctx.Config.Seed, ctx.Device, ctx.Layout.DartsDir, ctx.Log, ctx.World);
        if (ctx.IsMain && !File.Exists(ctx.Layout.Genotype))
            throw new InvalidOperationException($"the DARTS search finished without writing {ctx.Layout.Genotype}");
    }

    /// <summary>
    /// Runs the search into <paramref name="outDir"/> (genotype.json, darts_epochs.csv, alphas.csv, checkpoint),
    /// resuming from its checkpoint when one is there, then the random baseline if one is asked for.
    /// The test images are never used: the search splits the training images (train_portion). Several
    /// ranks search data-parallel and share out the baseline's candidates.
    /// </summary>
    public static DartsResult RunSearch(DartsStageConfig cfg, string? spaceFile, DatasetPair data, string datasetName, int seed, Device device, string outDir,
        TextWriter log, DistributedWorld? world = null)
    {
        var space = SearchSpace.Load(spaceFile ?? throw new ArgumentException($"stages.darts.space '{cfg.Space}': not a search-space file"));
        var search = cfg.Search.Search.Seeded(seed).Validate();
        var r = DartsSearch.Run(space, data, datasetName, search, new DartsOptions { OutDir = outDir, Resume = true, Device = device, Log = log, World = world });
        log.WriteLine($"darts: genotype {r.Genotype.Genotype}");
        if (cfg.Search.RandomBaseline > 0)
        {
            var random = RandomSearch.Run(space, data, datasetName, cfg.Search.RandomBaselineOf(search), outDir,
                new TrainerOptions { OutDir = outDir, Device = device }, log, world);
            log.WriteLine($"darts: random baseline best {random.Best.Index} val_top1 {Numbers.Fixed(random.Best.ValTop1, 2)} genotype {random.Best.Genotype}");
        }
        return r;
    }
}
