using Research.Experiments.Config;
using Research.Experiments.Pipeline;
using Research.Torch;
using Research.Training.Data;

namespace Research.Experiments.Stages;

/// <summary>
/// The DARTS cell search (stages.darts). Its config is parsed and validated (<see cref="DartsConfig"/>),
/// from_run imports an earlier search's folder; the search is Research.Search.Darts's, resumable from its checkpoint.
/// </summary>
public static class DartsStage
{
    public static void Run(StageContext ctx)
    {
        var cfg = ctx.Config.Stages.Darts!;
        var data = ctx.LoadData(cfg.Subset);
        string? spaceFile = cfg.Space is { } s && (File.Exists(ctx.Config.ResolvePath(s))) ? ctx.Config.ResolvePath(s) : null;
        Directory.CreateDirectory(ctx.Layout.DartsDir);
        RunSearch(cfg, spaceFile, data, ctx.Dataset.Name, ctx.Dataset.Validation, ctx.Config.Seed, ctx.Device, ctx.Layout.DartsDir, ctx.Log);
        if (!File.Exists(ctx.Layout.Genotype))
            throw new InvalidOperationException($"the DARTS search finished without writing {ctx.Layout.Genotype}");
    }

    /// <summary>
    /// Runs the search into <paramref name="outDir"/> (genotype.json, darts_epochs.csv, alphas.csv, checkpoint),
    /// resuming from its checkpoint when one is there. The test images are never used.
    /// </summary>
    public static void RunSearch(DartsConfig cfg, string? spaceFile, DatasetPair data, string datasetName, double validationFraction, int seed, Device device,
        string outDir, TextWriter log)
    {
        var space = Research.Search.Darts.SearchSpace.Load(spaceFile ?? throw new ArgumentException($"stages.darts.space '{cfg.Space}': not a search-space file"));
        var search = new Research.Search.Darts.DartsConfig
        {
            Epochs = cfg.Epochs, BatchSize = cfg.Batch, Order = cfg.Order, PartialChannels = cfg.PartialChannels,
            SkipCap = cfg.SkipCap >= 0 ? cfg.SkipCap : null, MacsLambda = cfg.MacsLambda, ArchWarmupEpochs = cfg.ArchWarmup,
            ArchLearningRate = cfg.ArchLr, WeightLearningRate = cfg.Lr, WeightLearningRateMin = Math.Min(0.001, cfg.Lr), Seed = seed,
        }.Validate();
        var r = Research.Search.Darts.DartsSearch.Run(space, data, datasetName, search, // the search reads only data.Train
            new Research.Search.Darts.DartsOptions { OutDir = outDir, Resume = true, Device = device, Log = log });
        log.WriteLine($"darts: genotype {r.Genotype.Genotype}");
        _ = validationFraction; // the search always splits the training images 50/50 (DARTS); dataset.validation is for grid/train
    }
}
