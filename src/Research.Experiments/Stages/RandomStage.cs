using Research.Core.IO;
using Research.Core.Text;
using Research.Experiments.Pipeline;
using Research.Search.Baseline;
using Research.Search.Darts;
using Research.Training;

namespace Research.Experiments.Stages;

/// <summary>
/// stages.random: the baseline every cell search must beat, with the settings of `research search
/// random` (<see cref="RandomSearchConfig"/>): genotypes sampled from the space, trained on the
/// search's split, the best kept as random/random_genotype.json. Each candidate resumes from its checkpoint.
/// </summary>
public static class RandomStage
{
    public static void Run(StageContext ctx)
    {
        var cfg = ctx.Config.Stages.Random!;
        var data = ctx.LoadData(cfg.Subset);
        var space = SearchSpace.Load(ctx.Config.ResolvePath(cfg.Space ?? throw new ArgumentException("stages.random.space is required")));
        var search = cfg.Search with
        {
            Recipe = cfg.Search.Recipe with { Seed = ctx.Config.Seed },
            // The latency table is named relative to the experiment file.
            Screening = cfg.Search.Screening with { Latency = new() { Table = cfg.Search.Screening.Latency.Table is { } t ? ctx.Config.ResolvePath(t) : null } },
        };
        var r = RandomSearch.Run(space, data, ctx.Dataset.Name, search, ctx.Layout.RandomDir,
            new TrainerOptions { OutDir = ctx.Layout.RandomDir, Device = ctx.Device }, ctx.Log, ctx.World);
        ctx.Log.WriteLine($"random: {r.Candidates.Count} candidates, best {r.Best.Index} val_top1 {Numbers.Fixed(r.Best.ValTop1, 2)} genotype {r.Best.Genotype}");
    }
}
