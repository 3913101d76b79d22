using Research.Experiments.Config;
using Research.Experiments.Pipeline;
using Research.Torch;
using Research.Training.Data;

namespace Research.Experiments.Stages;

/// <summary>
/// The DARTS cell search (stages.darts). Its config is parsed and validated (<see cref="DartsConfig"/>),
/// from_run imports an earlier search's folder, and the search itself is one method,
/// <see cref="RunSearch"/>, for the DARTS work (namespace Research.Search.Darts) to fill in.
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

    // ───────────────────────────── DARTS WIRING POINT ─────────────────────────────
    /// <summary>
    /// Runs the DARTS search. To be wired to Research.Search.Darts.
    /// </summary>
    /// <param name="cfg">the validated stages.darts settings: Space (as written), Epochs, Order ("first" | "second"),
    /// PartialChannels (PC-DARTS K, 1 = off), Batch, Subset (already applied to <paramref name="data"/>), Options (free-form strings)</param>
    /// <param name="spaceFile">the search-space file's full path when <c>space</c> names a file (null: a built-in space's name, cfg.Space)</param>
    /// <param name="data">the dataset (training part: the first <c>subset</c> images; the test part must not be used for the search)</param>
    /// <param name="datasetName">fashion-mnist, cifar10, cifar100 or synthetic</param>
    /// <param name="validationFraction">dataset.validation: the share of training images to hold out for the architecture (α) step</param>
    /// <param name="seed">the experiment's seed</param>
    /// <param name="device">where to train</param>
    /// <param name="outDir">&lt;run&gt;/darts: write genotype.json here (required; grid/scale bases with <c>from: darts</c> pass it to
    /// ModelSource.Resolve), plus anything else (alphas.csv, history.csv, checkpoints; resume from them when present)</param>
    /// <param name="log">progress lines (also go to log.txt)</param>
    public static void RunSearch(DartsConfig cfg, string? spaceFile, DatasetPair data, string datasetName, double validationFraction, int seed, Device device,
        string outDir, TextWriter log) =>
        throw new NotSupportedException("darts stage: not available in this build");
    // ──────────────────────────────────────────────────────────────────────────────
}
